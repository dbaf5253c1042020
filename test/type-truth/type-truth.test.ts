// Do the static types tell the truth about the values rows hold? Each suite checks a value at run time
// on both databases and its type with expectTypeOf (tsc: npm run typecheck, test/node/typecheck.test.ts).
// One file, so that one schema (tables at_*) is made and dropped once: test files run in parallel.
import { describe } from "vitest"
import { freshSchema } from "../orm/fresh-schema.ts"
import { castsAndCaseSuite } from "./casts-and-case-suite.ts"
import { coreEntitySuite } from "./core-entity-suite.ts"
import { floatParamsSuite } from "./float-params-suite.ts"
import { heldSuite } from "./held-suite.ts"
import { fixtures } from "./helpers.ts"
import { registry } from "./models.ts"
import { nullabilitySuite } from "./nullability-suite.ts"
import { outerJoinsSuite } from "./outer-join-suite.ts"

for (const fixture of fixtures()) {
  describe(`type truth on ${fixture.name}`, () => {
    const engine = fixture.engine(`at-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    for (const suite of [
      outerJoinsSuite,
      nullabilitySuite,
      castsAndCaseSuite,
      floatParamsSuite,
      coreEntitySuite,
      heldSuite,
    ]) {
      suite(engine)
    }
  })
}
