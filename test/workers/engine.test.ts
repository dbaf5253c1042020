// The engine conformance suite on the web transports, inside workerd.
import { engineConformance } from "../engine/conformance.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"

engineConformance(neonFixture("http"))
engineConformance(neonFixture("websocket"))
engineConformance(libsqlHttpFixture())
