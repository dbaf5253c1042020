// An embedded read-only transaction (begin({ readOnly: true }), a batch with readOnly) refuses a write
// the connection does not recognise as one (`PRAGMA user_version = 5`, or any write in a read-only
// batch). It ran before: while another connection held the write lock it failed with SQLITE_BUSY and
// stayed in progress, keeping the read lock the transaction's SELECT had taken past its rollback and
// past close(), until garbage-collected: meanwhile no connection to the file could commit (the writer
// holding the lock then failed at COMMIT, its work lost), and the failed connection's own next writes
// did not commit either. The refusal costs nothing afterwards: the connection writes again.
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { type Connection, createEngine, type Engine, OperationalError, text } from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { scratchDir } from "../setup/scratch.ts"

const directory = scratchDir("r5e-read-only")
let files = 0
const opened: Connection[] = []
afterEach(async () => {
  for (const connection of opened.splice(0)) await connection.close()
})

async function engines(): Promise<{ writer: Engine; tested: Engine; checker: Engine }> {
  const url = `file:${join(directory, `r5e-${++files}.db`)}`
  const [writer, tested, checker] = [1, 2, 3].map(() => createEngine(url, { driver: libsqlEmbedded() }))
  await (writer as Engine).execute(text("CREATE TABLE r5e_ro (n INTEGER PRIMARY KEY)"))
  return { writer: writer as Engine, tested: tested as Engine, checker: checker as Engine }
}

function held(engine: Engine): Connection {
  const connection = engine.connect()
  opened.push(connection)
  return connection
}

const insert = (n: number) => text(`INSERT INTO r5e_ro VALUES (${n})`)
const count = text("SELECT count(*) FROM r5e_ro")
const rowsSeenBy = async (engine: Engine) =>
  (await engine.execute(text("SELECT n FROM r5e_ro ORDER BY n"))).all().map((row) => Number(row[0]))
const userVersion = async (engine: Engine) =>
  Number((await engine.execute(text("PRAGMA user_version"))).scalar())

describe("an embedded read-only transaction given a write while another connection writes", () => {
  it("refuses a PRAGMA that writes, and leaves no lock behind", async () => {
    const { writer, tested, checker } = await engines()
    const connection = held(tested)
    await connection.begin({ readOnly: true })
    await connection.execute(count)
    const holder = held(writer)
    await holder.begin()
    await holder.execute(insert(1))
    const refused = await connection.execute(text("PRAGMA user_version = 5")).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(OperationalError)
    expect(String(refused)).toMatch(/readonly/i)
    expect(connection.inTransaction).toBe(false)
    // The writer that held the lock commits, another writes, and so does the failed connection.
    await holder.commit()
    await checker.execute(insert(2))
    await connection.execute(insert(3))
    expect(await rowsSeenBy(checker)).toEqual([1, 2, 3])
    expect(await userVersion(checker)).toBe(0)
  })

  it("refuses a write in a read-only batch, and leaves no lock behind", async () => {
    const { writer, tested, checker } = await engines()
    const connection = held(tested)
    const holder = held(writer)
    await holder.begin()
    await holder.execute(insert(1))
    const refused = await connection.batch([count, insert(9)], { readOnly: true }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(OperationalError)
    await holder.commit()
    await checker.execute(insert(2))
    await connection.batch([insert(3), insert(4)])
    expect(await rowsSeenBy(checker)).toEqual([1, 2, 3, 4])
  })
})

describe("an embedded connection after a read-only transaction", () => {
  for (const [ending, end] of [
    ["commit", (c: Connection) => c.commit()],
    ["rollback", (c: Connection) => c.rollback()],
  ] as const) {
    it(`writes again after its ${ending}, file and :memory: alike`, async () => {
      const { tested, checker } = await engines()
      const memory = createEngine(":memory:", { driver: libsqlEmbedded() })
      await memory.execute(text("CREATE TABLE r5e_ro (n INTEGER PRIMARY KEY)"))
      for (const engine of [tested, memory]) {
        const connection = held(engine)
        await connection.begin({ readOnly: true })
        await connection.execute(count)
        await end(connection)
        await connection.execute(insert(1))
        await connection.batch([insert(2)], { readOnly: true }).catch(() => undefined)
        await connection.batch([insert(3), insert(4)])
        await connection.begin()
        await connection.execute(insert(5))
        await connection.commit()
      }
      expect(await rowsSeenBy(checker)).toEqual([1, 3, 4, 5])
      expect(await rowsSeenBy(memory)).toEqual([1, 3, 4, 5])
      // A read-only batch of reads leaves it writable too.
      const connection = held(memory)
      await connection.batch([count, count], { readOnly: true })
      await connection.execute(insert(6))
      expect(await rowsSeenBy(memory)).toEqual([1, 3, 4, 5, 6])
    })
  }

  it("writes again after close() of its read-only transaction, on the engine's next connection", async () => {
    const memory = createEngine(":memory:", { driver: libsqlEmbedded() })
    await memory.execute(text("CREATE TABLE r5e_ro (n INTEGER PRIMARY KEY)"))
    const reader = memory.connect()
    await reader.begin({ readOnly: true })
    await reader.execute(count)
    await reader.close()
    await memory.execute(insert(1))
    expect(await rowsSeenBy(memory)).toEqual([1])
  })
})
