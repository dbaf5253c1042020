// The AsyncSession suite on the web transports, inside workerd.
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { sessionSuite } from "../orm/session-suite.ts"

sessionSuite(neonFixture("http"))
sessionSuite(libsqlHttpFixture())
