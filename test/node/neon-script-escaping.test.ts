// The WebSocket batch script with server settings and SQL a naive script would get wrong: values stay
// data with standard_conforming_strings off (constants are escape strings when they hold a backslash),
// E'' strings hide their placeholders, and a statement ending in a line comment keeps its separator.
import { afterAll, describe, expect, it } from "vitest"
import ws from "ws"
import { column, createAll, dropAll, insert, MetaData, select, Text, table, text } from "../../src/index.ts"
import { neonFixture } from "../engine/transports.ts"

describe("inline script with standard_conforming_strings off", () => {
  const fixture = neonFixture("websocket", ws)
  const notes = table("r_notes", { a: column(Text, { primaryKey: true }), b: column(Text) })
  const victim = table("r_victim", { id: column(Text, { primaryKey: true }) })
  const metadata = new MetaData()
  metadata.add(notes)
  metadata.add(victim)
  const engine = fixture.engine(`review-inline-${Date.now().toString(36)}`)

  afterAll(async () => {
    const c = engine.connect()
    await dropAll(metadata, c).finally(() => c.close())
  })

  it("keeps parameter values as data", async () => {
    await using connection = engine.connect()
    await createAll(metadata, connection)
    await connection.execute(text("SET standard_conforming_strings = off"))
    const batchError = await connection
      .batch([
        insert(notes).values({ a: "\\", b: ", chr(111)); DROP TABLE r_victim; --" }),
        insert(notes).values({ a: "second", b: "x" }),
      ])
      .then(
        () => undefined,
        (error: unknown) => String(error),
      )
    const stored = await connection.execute(select(notes.c.a, notes.c.b).orderBy(notes.c.a))
    const tables = await connection.execute(
      text("SELECT count(*)::int FROM pg_tables WHERE tablename = 'r_victim'"),
    )
    expect({ batchError, stored: stored.rows, victimTables: tables.rows }).toEqual({
      batchError: undefined,
      stored: [
        ["\\", ", chr(111)); DROP TABLE r_victim; --"],
        ["second", "x"],
      ].sort(),
      victimTables: [[1]],
    })
  })
})

describe("inline script and PostgreSQL escape strings", () => {
  const fixture = neonFixture("websocket", ws)
  const engine = fixture.engine(`review-estr-${Date.now().toString(36)}`)

  it("runs a batch whose statement has an E'' string with an escaped quote as it runs alone", async () => {
    await using connection = engine.connect()
    const statement = text("SELECT E'it\\'s ' || $1::text").bind(["fine"])
    const alone = await connection.execute(statement)
    const batched = await connection.batch([statement, text("SELECT 1")])
    expect(batched[0]?.rows).toEqual(alone.rows)
  })
})

describe("inline script and a statement ending in a line comment", () => {
  const fixture = neonFixture("websocket", ws)
  const engine = fixture.engine(`review-comment-${Date.now().toString(36)}`)

  it("runs each statement of the batch", async () => {
    await using connection = engine.connect()
    const results = await connection.batch([
      text("SELECT $1::int AS a -- the first").bind([1]),
      text("SELECT $1::int AS b").bind([2]),
    ])
    expect(results.map((r) => r.rows)).toEqual([[[1]], [[2]]])
  })
})
