// Cases a review of a day's fixes found wrong (each failed before its fix), on one schema (tables
// rv_*) made once: test files run in parallel.
import { describe } from "vitest"
import ws from "ws"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { coreRowsCases } from "./core-types-cases.ts"
import { registry } from "./models.ts"
import { sqlCases } from "./sql-cases.ts"
import { unitOfWorkCases } from "./uow-cases.ts"

const fixtures: TransportFixture[] = [neonFixture("http", ws), libsqlHttpFixture()]

for (const fixture of fixtures) {
  describe(`day review on ${fixture.name}`, () => {
    const engine = fixture.engine(`rv-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    unitOfWorkCases(engine)
    sqlCases(engine)
    coreRowsCases(engine)
  })
}
