// What the type-truth suites share: the two databases. Their static assertions (expectTypeOf, and
// expected errors) are checked with the rest of the tests by `npm run typecheck` and by
// test/node/typecheck.test.ts, so a type that lies fails the suite.
import ws from "ws"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"

export const fixtures = (): TransportFixture[] => [neonFixture("http", ws), libsqlHttpFixture()]
