// An embedded libSQL commit that fails (a deferred foreign key, checked at COMMIT) must leave the file
// unlocked: @libsql/client's own COMMIT statement, when it fails, kept the file locked for every other
// connection and process until it happened to be garbage-collected, so their next write failed with
// "database is locked". The ORM commits in one batch, and a transaction commits the same way.
import { join } from "node:path"
import { type Client, createClient } from "@libsql/client"
import { afterAll, describe, expect, it } from "vitest"
import { IntegrityError, text } from "../../src/index.ts"
import { createEngine } from "../../src/libsql-node.ts"
import { scratchDir } from "../setup/scratch.ts"

const file = join(scratchDir("ea-commit-lock"), "app.db")
const engine = createEngine(`file:${file}`)
// Another process's view of the file: a client of its own, as the migration CLI or a second server has.
let other: Client

const orphan = (id: number) => text(`INSERT INTO children (id, parent_id) VALUES (${id}, 999)`)
const counts = async () =>
  (await other.execute("SELECT (SELECT count(*) FROM parents), (SELECT count(*) FROM children)")).rows[0]

describe("a failed embedded commit", () => {
  it("sets up a foreign key checked at COMMIT", async () => {
    other = createClient({ url: `file:${file}` })
    await other.executeMultiple(`
      CREATE TABLE parents (id INTEGER PRIMARY KEY);
      CREATE TABLE children (
        id INTEGER PRIMARY KEY,
        parent_id INTEGER REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED
      );`)
  })

  it("of a transaction leaves the file writable by others, nothing of it written", async () => {
    const connection = await engine.connect()
    try {
      await connection.begin()
      await connection.execute(orphan(1))
      await expect(connection.commit()).rejects.toThrow(IntegrityError)
    } finally {
      await connection.close()
    }
    await other.execute("INSERT INTO parents (id) VALUES (1)")
    const again = await engine.connect()
    try {
      await again.begin()
      await again.execute(text("INSERT INTO parents (id) VALUES (2)"))
      await again.commit()
    } finally {
      await again.close()
    }
    expect(Object.values((await counts()) ?? {})).toEqual([2, 0])
  })

  it("of a batch leaves the file writable by others, nothing of it written", async () => {
    const connection = await engine.connect()
    try {
      await expect(connection.batch([orphan(2), orphan(3)])).rejects.toThrow(IntegrityError)
    } finally {
      await connection.close()
    }
    await other.execute("INSERT INTO parents (id) VALUES (3)")
    const connection2 = await engine.connect()
    try {
      await connection2.batch([
        text("INSERT INTO parents (id) VALUES (4)"),
        text("INSERT INTO children (id, parent_id) VALUES (4, 4)"),
      ])
    } finally {
      await connection2.close()
    }
    expect(Object.values((await counts()) ?? {})).toEqual([4, 1])
  })
})

afterAll(() => other?.close())
