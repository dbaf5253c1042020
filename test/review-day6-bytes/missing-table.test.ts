// A table not created yet is what a newcomer meets first: SQLite's "no such table: posts" and
// PostgreSQL's 42P01 'relation "posts" does not exist' said what was missing but not what to do.
// The ProgrammingError now names the fix: createAll() or the migrations. Other errors of the same
// class (a missing column) keep their message, and so does SQLite's sqlite_sequence, which the flush
// explains itself (test/review-day6-autoinc/flush-keys.test.ts).
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  column,
  Integer,
  MetaData,
  ProgrammingError,
  ReadSession,
  String,
  select,
  table,
  text,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"

const metadata = new MetaData()
// Never created: no test here calls createAll.
const missing = table(
  "r6b_mt_never_created",
  { id: column(Integer, { primaryKey: true }), title: column(String(40)) },
  { metadata },
)
const HINT = ": run createAll() or the migrations"

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a missing table on ${fixture.name}`, () => {
    const scope = `r6b-mt-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)

    it("is a ProgrammingError that names the table and says to run createAll() or the migrations", async () => {
      await using session = new ReadSession(engine)
      const error = await session.execute(select(missing.c.id)).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ProgrammingError)
      expect((error as Error).message).toContain("r6b_mt_never_created")
      expect((error as Error).message.endsWith(HINT)).toBe(true)
    })

    it("leaves other programming errors as the database words them", async () => {
      await using session = new ReadSession(engine)
      const error = await session
        .execute(text("SELECT no_such_column FROM (SELECT 1 AS x) AS t"))
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ProgrammingError)
      expect((error as Error).message).not.toContain(HINT)
    })
  })
}
