// Raw SQL holding a NUL (U+0000), as SQL built from untrusted text can: SQLite reads a statement only up
// to the NUL, on every transport, and ran the rest of it silently (`DELETE ... WHERE a = 1\0 AND b = 2`
// deleted every row with a = 1; `SELECT 1 AS a\0, 2 AS b` answered one column). PostgreSQL's protocol
// ends the query text at the NUL too, and the Neon driver's broken message came back as a
// ConnectionError ('insufficient data left in message' over HTTP, 'invalid message format' over
// WebSocket), which an application retries as a lost connection. Both are the databases' and the
// drivers' own behaviour; edgealchemy now refuses such SQL in text() and literalColumn() with an
// InvalidRequestError before anything is sent. (A value holding NUL was refused already: bind it.)
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  literalColumn,
  model,
  Registry,
  select,
  text,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"

const registry = new Registry()
class Pair extends model(
  "d8v_nul_pairs",
  { id: column(Integer, { primaryKey: true }), a: column(Integer), b: column(Integer) },
  { registry },
) {}
registry.registerModels(Pair)

const refusal = {
  name: "InvalidRequestError",
  message: "SQL text cannot hold a NUL (U+0000): it would end the statement there; bind the value instead",
}

const fixtures = [
  neonFixture("http", ws),
  neonFixture("websocket", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("d8v-nul"), "nul.db")),
]
for (const fixture of fixtures) {
  describe(`raw SQL with a NUL on ${fixture.name}`, () => {
    const engine = fixture.engine(`d8v-nul-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("a DELETE is refused, not cut at the NUL: the rows stay", async () => {
      await using session = new AsyncSession(engine)
      for (const [id, b] of [
        [1, 2],
        [2, 3],
      ] as const) {
        session.add(new Pair({ id, a: 1, b }))
      }
      await session.commit()
      await expect(
        (async () => session.execute(text("DELETE FROM d8v_nul_pairs WHERE a = 1\u0000 AND b = 2")))(),
      ).rejects.toMatchObject(refusal)
      await session.rollback()
      await using reader = new AsyncSession(engine)
      expect((await reader.execute(select(Pair.id).orderBy(Pair.id))).scalars().all()).toEqual([1, 2])
    })

    it("a SELECT and a literalColumn() are refused", async () => {
      await using session = new AsyncSession(engine)
      await expect(
        (async () => session.execute(text("SELECT 1 AS a\u0000, 2 AS b")))(),
      ).rejects.toMatchObject(refusal)
      await expect(
        (async () => session.execute(select(Pair.id).where(literalColumn<boolean>("a = 1\u0000 OR true"))))(),
      ).rejects.toMatchObject(refusal)
    })
  })
}
