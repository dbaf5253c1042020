// The ORM query suite on the web transports, inside workerd.
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { querySuite } from "../orm/query-suite.ts"

querySuite(neonFixture("http"))
querySuite(libsqlHttpFixture())
