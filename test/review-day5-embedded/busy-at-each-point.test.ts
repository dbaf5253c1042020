// An embedded transaction that finds the file busy at any point (BEGIN, COMMIT) fails as not committed,
// leaves nothing of itself in the file and no lock behind, and its connection commits the next time.
// COMMIT is busy in SQLite's default journal mode while another connection reads (it needs the file to
// itself); so is an autocommitted write's own commit, and an atomic batch's.
import { join } from "node:path"
import { type Client, createClient } from "@libsql/client"
import { afterEach, describe, expect, it } from "vitest"
import {
  type Connection,
  createEngine,
  type Engine,
  OperationalError,
  text,
  UnknownOutcomeError,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { scratchDir } from "../setup/scratch.ts"

const directory = scratchDir("r5e-points")
let files = 0
const opened: { close(): unknown }[] = []
afterEach(async () => {
  for (const each of opened.splice(0)) await each.close()
})

async function engines(): Promise<{ url: string; writer: Engine; tested: Engine; checker: Engine }> {
  const url = `file:${join(directory, `r5e-${++files}.db`)}`
  const [writer, tested, checker] = [1, 2, 3].map(() => createEngine(url, { driver: libsqlEmbedded() }))
  await (writer as Engine).execute(text("CREATE TABLE r5e_pt (n INTEGER PRIMARY KEY)"))
  return { url, writer: writer as Engine, tested: tested as Engine, checker: checker as Engine }
}

function held(engine: Engine): Connection {
  const connection = engine.connect()
  opened.push(connection)
  return connection
}

const insert = (n: number) => text(`INSERT INTO r5e_pt VALUES (${n})`)
const rowsSeenBy = async (engine: Engine) =>
  (await engine.execute(text("SELECT n FROM r5e_pt ORDER BY n"))).all().map((row) => Number(row[0]))
/** A database failure known not to have committed: not an UnknownOutcomeError. */
const notCommitted = (error: unknown) => {
  expect(error).toBeInstanceOf(OperationalError)
  expect(error).not.toBeInstanceOf(UnknownOutcomeError)
  expect(String(error)).toMatch(/SQLITE_BUSY|database is locked/)
}

/** Another process reads the file (an open read transaction that has read) while `during` runs. */
async function whileRead(url: string, during: () => Promise<void>): Promise<void> {
  const reader: Client = createClient({ url })
  opened.push(reader)
  const reading = await reader.transaction("read")
  await reading.execute("SELECT count(*) FROM r5e_pt")
  try {
    await during()
  } finally {
    reading.close()
  }
}

describe("an embedded transaction that finds the file busy", () => {
  it("at BEGIN: fails, and the connection begins and commits once the writer is done", async () => {
    const { writer, tested, checker } = await engines()
    const holder = held(writer)
    const connection = held(tested)
    await holder.begin()
    await holder.execute(insert(1))
    notCommitted(await connection.begin().catch((e: unknown) => e))
    expect(connection.inTransaction).toBe(false)
    await holder.commit()
    await connection.begin()
    await connection.execute(insert(2))
    await connection.commit()
    expect(await rowsSeenBy(checker)).toEqual([1, 2])
    await checker.execute(insert(3))
  })

  it("at COMMIT: fails as not committed, leaves no lock, and commits when sent again", async () => {
    const { url, tested, checker } = await engines()
    const connection = held(tested)
    await whileRead(url, async () => {
      await connection.begin()
      await connection.execute(insert(1))
      notCommitted(await connection.commit().catch((e: unknown) => e))
      expect(connection.inTransaction).toBe(false)
    })
    expect(await rowsSeenBy(checker)).toEqual([])
    await checker.execute(insert(2))
    await connection.begin()
    await connection.execute(insert(1))
    await connection.commit()
    expect(await rowsSeenBy(checker)).toEqual([1, 2])
  })

  it("at an autocommitted write's or an atomic batch's commit: fails as not committed, then commits", async () => {
    const { url, tested, checker } = await engines()
    const connection = held(tested)
    await whileRead(url, async () => {
      notCommitted(await connection.execute(insert(1)).catch((e: unknown) => e))
      notCommitted(await connection.batch([insert(2)]).catch((e: unknown) => e))
      notCommitted(await connection.batch([insert(3), insert(4)]).catch((e: unknown) => e))
    })
    expect(await rowsSeenBy(checker)).toEqual([])
    await connection.execute(insert(1))
    await connection.batch([insert(2)])
    await connection.batch([insert(3), insert(4)])
    expect(await rowsSeenBy(checker)).toEqual([1, 2, 3, 4])
    await checker.execute(insert(5))
  })
})

describe("an embedded connection closed while its statements are under way", () => {
  it("reports each write as it went: the ones reported done are in the file, the others are not", async () => {
    const { tested, checker } = await engines()
    const reported: number[] = []
    for (let n = 1; n <= 4; n++) {
      const connection = tested.connect()
      const write = connection.execute(insert(n)).then(
        () => reported.push(n),
        () => undefined,
      )
      await Promise.all([write, connection.close()])
    }
    const connection = tested.connect()
    await connection.begin()
    const inside = connection.execute(insert(10)).then(
      () => "written",
      () => "failed",
    )
    const commit = connection.commit().then(
      () => reported.push(10),
      () => undefined,
    )
    await Promise.all([inside, commit, connection.close()])
    expect(await rowsSeenBy(checker)).toEqual(reported)
    await checker.execute(insert(20))
  })
})
