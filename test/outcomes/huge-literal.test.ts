// A Neon WebSocket batch goes as one script, its placeholders replaced by literals; finding them means
// reading past the SQL's own string literals. That scan recursed once per character of a literal, so a
// statement holding a literal of 10 MB or more failed with "Maximum call stack size exceeded" (nothing
// was applied, but nothing said why). A literal of any size, with quotes doubled or not, now goes
// through and its placeholders outside it are still replaced.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import ws from "ws"
import { type Engine, text } from "../../src/index.ts"
import { neonFixture } from "../engine/transports.ts"

const table = "oc_literal"
const MB = 1024 * 1024

describe("a batch with a huge string literal in its SQL, on neon-websocket", () => {
  const engine: Engine = neonFixture("websocket", ws).engine("oc-literal")
  const stored = async () =>
    (await engine.execute(text(`SELECT x, length(body) FROM ${table} ORDER BY x`)))
      .all()
      .map(([x, length]) => [Number(x), Number(length)])

  beforeAll(async () => {
    await engine.execute(text(`DROP TABLE IF EXISTS ${table}`))
    await engine.execute(text(`CREATE TABLE ${table} (x integer, body text)`))
  })
  afterAll(async () => {
    await engine.execute(text(`DROP TABLE IF EXISTS ${table}`))
  })

  it.each([
    ["plain text", "'", "y".repeat(11 * MB), 11 * MB],
    ["with a quote every 64 characters", "'", `${"y".repeat(62)}''`.repeat(170_000), 63 * 170_000],
    ["as an escape string", "E'", `${"y".repeat(11 * MB)}\\n`, 11 * MB + 1],
  ])("commits it: %s", async (_what, open, body, length) => {
    const x = length % 1000
    await using connection = engine.connect()
    const results = await connection.batch([
      text(`INSERT INTO ${table} (x, body) VALUES ($1, ${open}${body}') RETURNING x`).bind([x]),
      text("SELECT $1::integer + 1").bind([x]),
    ])
    expect(results.map((result) => result.all())).toEqual([[[x]], [[x + 1]]])
    expect(await stored()).toContainEqual([x, length])
  })
})
