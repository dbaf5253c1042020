// An UPDATE that breaks a unique constraint is an IntegrityError naming it, on both databases. On
// PostgreSQL the flush's UPDATE carries its row check (a stale marker) in its text, and any error of
// the statement was taken for the check's: a duplicate name was reported as StaleDataError ("reload it
// and retry", which only fails again). Found while faulting commits under way (./changes-in-flight.test.ts).
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, IntegrityError, StaleDataError } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { concurrencyModels } from "./models.ts"

const { registry, Doc } = concurrencyModels("update")

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`an UPDATE refused on ${fixture.name}`, () => {
    const engine = fixture.engine(`cc-update-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    let next = 0
    const unique = (what: string) => `${what}-${++next}`

    it("by a unique constraint is an IntegrityError naming it; a vanished row is still stale", async () => {
      await using session = new AsyncSession(engine)
      const [first, second] = [new Doc({ name: unique("first") }), new Doc({ name: unique("second") })]
      session.addAll([first, second])
      await session.commit()
      second.name = first.name
      const error = await session.commit().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(IntegrityError)
      expect(error).toMatchObject({ kind: "unique" })
      expect((error as IntegrityError).columns).toEqual(["name"])
      second.name = unique("second")
      session.reference(Doc, { id: 999_999_999 }).n = 1
      await expect(session.commit()).rejects.toBeInstanceOf(StaleDataError)
    })
  })
}
