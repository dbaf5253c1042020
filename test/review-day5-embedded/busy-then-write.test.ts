// One held embedded connection whose statement failed with SQLITE_BUSY (another connection to the file
// held the write lock) must write for real afterwards. The client's failed statement stayed in progress
// on the native connection it ran on (SQLite leaves a statement that could not take its lock ready to
// be stepped again): that connection then committed nothing in autocommit, so the held Connection's
// next writes reported success while they sat in a transaction no one would commit, kept the write lock
// from every other connection, and were rolled back when the statement was garbage-collected.
import { join } from "node:path"
import { type Client, createClient } from "@libsql/client"
import { afterEach, describe, expect, it } from "vitest"
import {
  AsyncSession,
  type Connection,
  column,
  createEngine,
  type Engine,
  Integer,
  IntegrityError,
  model,
  OperationalError,
  Registry,
  text,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { scratchDir } from "../setup/scratch.ts"

const directory = scratchDir("r5e-busy")
let files = 0
const opened: { close(): unknown }[] = []
afterEach(async () => {
  for (const each of opened.splice(0)) await each.close()
})

/** Three engines on a new file with table r5e_log: a writer, the one under test, and a checker. */
async function threeEngines(): Promise<{ url: string; writer: Engine; tested: Engine; checker: Engine }> {
  const url = `file:${join(directory, `r5e-${++files}.db`)}`
  const [writer, tested, checker] = [1, 2, 3].map(() => createEngine(url, { driver: libsqlEmbedded() }))
  await (writer as Engine).execute(text("CREATE TABLE r5e_log (n INTEGER PRIMARY KEY)"))
  return { url, writer: writer as Engine, tested: tested as Engine, checker: checker as Engine }
}

function held(engine: Engine): Connection {
  const connection = engine.connect()
  opened.push(connection)
  return connection
}

/** The rows as another engine reads them, on a connection of its own. */
async function rowsSeenBy(engine: Engine): Promise<number[]> {
  const rows = (await engine.execute(text("SELECT n FROM r5e_log ORDER BY n"))).all()
  return rows.map((row) => Number(row[0]))
}

/** `writer` holds the file's write lock (an open write transaction) while `during` runs. */
async function whileLocked(writer: Engine, during: () => Promise<void>): Promise<void> {
  const holder = held(writer)
  await holder.begin()
  await holder.execute(text("INSERT INTO r5e_log VALUES (1)"))
  try {
    await during()
  } finally {
    await holder.commit()
  }
}

const insert = (n: number) => text(`INSERT INTO r5e_log VALUES (${n})`)
const busy = (error: unknown) => {
  expect(error).toBeInstanceOf(OperationalError)
  expect(String(error)).toMatch(/SQLITE_BUSY|database is locked/)
}

describe("a held embedded connection after a write that found the file busy", () => {
  it("a one-statement batch: its next one-statement batches are committed", async () => {
    const { writer, tested, checker } = await threeEngines()
    const connection = held(tested)
    await whileLocked(writer, async () => {
      busy(await connection.batch([insert(2)]).catch((e: unknown) => e))
    })
    const [first] = await connection.batch([insert(3)])
    expect(first?.rowsAffected).toBe(1)
    await connection.batch([insert(4)])
    expect(await rowsSeenBy(checker)).toEqual([1, 3, 4])
    // The file takes another writer: the held connection left no lock behind.
    await checker.execute(insert(5))
    await connection.close()
    expect(await rowsSeenBy(checker)).toEqual([1, 3, 4, 5])
  })

  it("a plain execute(): its next writes are committed", async () => {
    const { writer, tested, checker } = await threeEngines()
    const connection = held(tested)
    await whileLocked(writer, async () => {
      busy(await connection.execute(insert(2)).catch((e: unknown) => e))
    })
    await connection.execute(insert(3))
    await connection.execute(text("UPDATE r5e_log SET n = 30 WHERE n = 3"))
    expect(await rowsSeenBy(checker)).toEqual([1, 30])
    await checker.execute(insert(5))
    await connection.close()
    expect(await rowsSeenBy(checker)).toEqual([1, 5, 30])
  })

  it("a write failing twice while busy, then a transaction and a batch on the same connection", async () => {
    const { writer, tested, checker } = await threeEngines()
    const connection = held(tested)
    await whileLocked(writer, async () => {
      busy(await connection.execute(insert(2)).catch((e: unknown) => e))
      busy(await connection.batch([insert(2)]).catch((e: unknown) => e))
    })
    await connection.execute(insert(3))
    await connection.begin()
    await connection.execute(insert(4))
    await connection.commit()
    await connection.batch([insert(6), insert(7)])
    expect(await rowsSeenBy(checker)).toEqual([1, 3, 4, 6, 7])
    await checker.execute(insert(8))
  })

  it("a constraint violation (not busy): the next writes are committed", async () => {
    const { writer, tested, checker } = await threeEngines()
    const connection = held(tested)
    await writer.execute(insert(1))
    await expect(connection.execute(insert(1))).rejects.toThrow(IntegrityError)
    await expect(connection.batch([insert(1)])).rejects.toThrow(IntegrityError)
    await connection.batch([insert(2)])
    await connection.execute(insert(3))
    expect(await rowsSeenBy(checker)).toEqual([1, 2, 3])
    await checker.execute(insert(4))
  })
})

describe("an AsyncSession whose commit found the file busy", () => {
  const registry = new Registry()
  class Entry extends model("r5e_log", { n: column(Integer, { primaryKey: true }) }, { registry }) {}
  registry.registerModels(Entry)

  it("commits when asked again, for real", async () => {
    const { writer, checker, url } = await threeEngines()
    const tested = createEngine(url, { driver: libsqlEmbedded() })
    const session = new AsyncSession(tested)
    opened.push(session)
    session.add(new Entry({ n: 2 }))
    await whileLocked(writer, async () => {
      busy(await session.commit().catch((e: unknown) => e))
    })
    // Put back by the failed commit's rollback: still pending, sent again by the next commit.
    await session.commit()
    session.add(new Entry({ n: 3 }))
    await session.commit()
    expect(await rowsSeenBy(checker)).toEqual([1, 2, 3])
    await checker.execute(insert(4))
    await session.close()
    expect(await rowsSeenBy(checker)).toEqual([1, 2, 3, 4])
  })
})

describe("a held embedded connection after a read that found the file busy", () => {
  // Another process's writer whose COMMIT could not take the exclusive lock (a reader held the file):
  // it keeps the pending lock, under which no new reader may start, until it rolls back.
  async function whilePending(url: string, during: () => Promise<void>): Promise<void> {
    const reader: Client = createClient({ url })
    const other: Client = createClient({ url })
    opened.push(reader, other)
    const reading = await reader.transaction("read")
    await reading.execute("SELECT count(*) FROM r5e_log")
    const writing = await other.transaction("write")
    await writing.execute("INSERT INTO r5e_log VALUES (100)")
    await expect(writing.executeMultiple("COMMIT")).rejects.toThrow(/SQLITE_BUSY|locked/)
    try {
      await during()
    } finally {
      writing.close()
      reading.close()
    }
  }

  it("a plain SELECT: the connection lets other writers commit afterwards", async () => {
    const { url, tested, checker } = await threeEngines()
    const connection = held(tested)
    await whilePending(url, async () => {
      busy(await connection.execute(text("SELECT n FROM r5e_log")).catch((e: unknown) => e))
    })
    expect(Number((await connection.execute(text("SELECT count(*) FROM r5e_log"))).scalar())).toBe(0)
    await connection.execute(insert(2))
    // Another writer commits: the held connection kept no read lock after its statements.
    await checker.execute(insert(3))
    expect(await rowsSeenBy(checker)).toEqual([2, 3])
    expect(Number((await connection.execute(text("SELECT count(*) FROM r5e_log"))).scalar())).toBe(2)
  })

  it("a read-only transaction: the connection lets other writers commit afterwards", async () => {
    const { url, tested, checker } = await threeEngines()
    const connection = held(tested)
    await whilePending(url, async () => {
      await connection.begin({ readOnly: true })
      busy(await connection.execute(text("SELECT n FROM r5e_log")).catch((e: unknown) => e))
      expect(connection.inTransaction).toBe(false)
    })
    await connection.begin({ readOnly: true })
    expect(Number((await connection.execute(text("SELECT count(*) FROM r5e_log"))).scalar())).toBe(0)
    await connection.commit()
    await connection.execute(text("SELECT count(*) FROM r5e_log"))
    await checker.execute(insert(3))
    expect(await rowsSeenBy(checker)).toEqual([3])
  })

  it("a batch of reads: the connection lets other writers commit afterwards", async () => {
    const { url, tested, checker } = await threeEngines()
    const connection = held(tested)
    const reads = [text("SELECT count(*) FROM r5e_log"), text("SELECT max(n) FROM r5e_log")]
    await whilePending(url, async () => {
      busy(await connection.batch(reads).catch((e: unknown) => e))
    })
    await connection.batch(reads)
    await connection.execute(text("SELECT 1 FROM r5e_log"))
    await checker.execute(insert(3))
    expect(await rowsSeenBy(checker)).toEqual([3])
  })
})
