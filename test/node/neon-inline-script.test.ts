// The Neon WebSocket batch script: parameters become literals only where they are parameters.
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import ws from "ws"
import { inlineScript } from "../../src/drivers/neon/inline-script.ts"
import {
  column,
  createAll,
  deleteFrom,
  dropAll,
  Integer,
  insert,
  MetaData,
  select,
  Text,
  table,
} from "../../src/index.ts"
import { neonFixture } from "../engine/transports.ts"

describe("inlineScript", () => {
  it("replaces placeholders by quoted literals of the text the driver would send", () => {
    const script = inlineScript([
      { sql: "INSERT INTO t (a, b, c, d) VALUES ($1, $2, $3, $4)", params: ["it's", 42, null, true] },
      { sql: "SELECT * FROM t WHERE id = $1 OR id = $10", params: [7n, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
    ])
    expect(script).toBe(
      "INSERT INTO t (a, b, c, d) VALUES ('it''s', '42', NULL, 'true')\n;\n" +
        "SELECT * FROM t WHERE id = '7' OR id = '10'",
    )
  })

  it("leaves $n alone inside strings, quoted names, dollar-quoted bodies and comments", () => {
    const sql = `SELECT '$1', "$1", $$ $1 $$, $fn$ $1 $fn$, $1 -- $1\n/* $1 */ FROM x`
    expect(inlineScript([{ sql, params: ["v"] }])).toBe(
      `SELECT '$1', "$1", $$ $1 $$, $fn$ $1 $fn$, 'v' -- $1\n/* $1 */ FROM x`,
    )
  })

  it("treats unterminated quotes and comments as running to the end, and $n after a word as text", () => {
    const params = ["v"]
    expect(inlineScript([{ sql: "SELECT a$1, $1$, $1 FROM t -- $1", params }])).toBe(
      "SELECT a$1, 'v'$, 'v' FROM t -- $1",
    )
    expect(inlineScript([{ sql: "SELECT $1, 'it''s $1", params }])).toBe("SELECT 'v', 'it''s $1")
    expect(inlineScript([{ sql: "SELECT $1 /* $1", params }])).toBe("SELECT 'v' /* $1")
    expect(inlineScript([{ sql: "SELECT $1, $q$ $1 $$ $1", params }])).toBe("SELECT 'v', $q$ $1 $$ $1")
    expect(() => inlineScript([{ sql: "SELECT $2", params }])).toThrow(
      "The statement uses $2 but has no such parameter",
    )
  })

  it("keeps hostile text inert whatever standard_conforming_strings says: quotes and backslashes doubled", () => {
    const script = inlineScript([{ sql: "SELECT $1", params: ["'); DROP TABLE users; --\\'"] }])
    expect(script).toBe("SELECT E'''); DROP TABLE users; --\\\\'''")
  })

  it("gives up on values with no exact text, so the batch goes statement by statement", () => {
    expect(inlineScript([{ sql: "SELECT $1", params: [[1, 2]] }])).toBeUndefined()
    expect(inlineScript([{ sql: "SELECT $1", params: ["a\u0000b"] }])).toBeUndefined()
  })
})

describe("a WebSocket batch on the real database", () => {
  const fixture = neonFixture("websocket", ws)
  const values = table("inline_script_values", {
    id: column(Integer, { primaryKey: true }),
    body: column(Text),
  })
  const metadata = new MetaData()
  metadata.add(values)

  it("round-trips hostile text byte for byte, in one round trip per batch", async () => {
    const name = `inline-script-${Date.now().toString(36)}`
    const engine = fixture.engine(name)
    await using connection = engine.connect()
    await createAll(metadata, connection)
    try {
      const texts = fc.string({ unit: "grapheme", maxLength: 12 }).map((t) => t.replaceAll("\u0000", ""))
      const hostile = fc.oneof(
        texts,
        fc.constantFrom("'; DROP TABLE x; --", "$1", "$$ $1 $$", "\\'", "e'\\x41'"),
      )
      await fc.assert(
        fc.asyncProperty(hostile, async (text) => {
          const before = await fixture.stats(name)
          const [, , found] = await connection.batch([
            deleteFrom(values),
            insert(values).values({ id: 1, body: text }),
            select(values.c.body).where(values.c.body.eq(text)),
          ])
          const after = await fixture.stats(name)
          expect(found?.rows).toEqual([[text]])
          expect((after?.wsRoundTrips ?? 0) - (before?.wsRoundTrips ?? 0)).toBe(1)
        }),
        { numRuns: 40 },
      )
    } finally {
      await dropAll(metadata, connection)
    }
  })
})
