// The value round trips (test/reliability/value-suite.ts) inside workerd, on the web transports: the
// codecs and checks as a deployed Worker runs them.
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { valueRoundTrips } from "../reliability/value-suite.ts"

valueRoundTrips(neonFixture("http"), "rvw", 10)
valueRoundTrips(libsqlHttpFixture(), "rvw", 12)
