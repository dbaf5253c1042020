// Long names and migrations, on real PostgreSQL (Neon HTTP) and real libSQL (HTTP). Autogenerate
// compares the models' names with those the database reports, and PostgreSQL reports a name cut to 63
// bytes: a model whose conventional names passed 63 bytes in UTF-8 (a multi-byte table name) got a
// revision that dropped and created its indexes and CHECKs again on every run, never converging. Names
// are now within 63 bytes wherever they are made, so a revision converges; a name the user gives past
// it is refused by autogenerate and by a revision's operations before anything is sent.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  column,
  createAll,
  Enum,
  Integer,
  InvalidRequestError,
  index,
  MetaData,
  table,
  text,
} from "../../src/index.ts"
import { defineRevision, Migrator, staticRevisions } from "../../src/migrate.ts"
import {
  type MigrationDatabases,
  migrationDatabases,
  type Target,
  type TargetName,
} from "../migrate/databases.ts"
import { type RevisionFolder, revisionFolder } from "../migrate/revision-folder.ts"

let databases: MigrationDatabases
const folders: RevisionFolder[] = []
beforeAll(async () => {
  databases = await migrationDatabases()
})
afterAll(async () => {
  await databases.stop()
  for (const folder of folders) folder.remove()
})

/** 61 bytes in 32 characters. */
const PARENT = `il_${"é".repeat(29)}`
/** 61 bytes in 33 characters: its foreign key's conventional name names both tables. */
const CHILD = `il_${"ü".repeat(28)}_c`

/** Conventional index, unique, CHECK and foreign-key names all past 63 bytes, alike in their first 63. */
function models(): MetaData {
  const metadata = new MetaData()
  table(
    PARENT,
    {
      id: column(Integer, { primaryKey: true }),
      a: column(Integer, { unique: true, index: true }),
      b: column(Integer, { unique: true, index: true }),
      c: column(Integer, { unique: true }),
      d: column(Integer, { unique: true }),
      e: column(Enum("x", "y"), { nullable: true }),
      f: column(Enum("x", "z"), { nullable: true }),
    },
    { metadata },
  )
  table(
    CHILD,
    {
      id: column(Integer, { primaryKey: true }),
      parentA: column(Integer, { foreignKey: `${PARENT}.a`, index: true }),
      parentB: column(Integer, { foreignKey: `${PARENT}.b`, index: true }),
    },
    { metadata },
  )
  return metadata
}

function target(name: TargetName): Target {
  const found = databases.targets.find((t) => t.name === name)
  if (!found) throw new Error(name)
  return found
}

describe.each(["neon-http", "libsql-http"] satisfies TargetName[])(
  "long names and migrations on %s",
  (name) => {
    it("autogenerate's revision creates what the models name, and a compare after it finds nothing", async () => {
      await databases.reset()
      const engine = target(name).engine(`il-revision-${name}`)
      const folder = revisionFolder(engine)
      folders.push(folder)
      const { changes } = await folder.write(models(), "long names")
      expect(changes.length).toBeGreaterThan(0)
      await folder.migrator().upgrade()
      // Before: PostgreSQL's cut names differed from the models' and every compare dropped and made again
      // the indexes and CHECKs of both tables (a revision that never converged).
      expect(await folder.migrator().compare(models())).toEqual([])
      // Every unique index holds: the second of two alike in 63 bytes is not lost.
      await engine.execute(text(`INSERT INTO "${PARENT}" (id, a, b, c, d) VALUES (1, 1, 1, 1, 1)`))
      for (const key of ["a", "b", "c", "d"]) {
        const values = ["a", "b", "c", "d"].map((k) => (k === key ? 1 : 2))
        await expect(
          engine.execute(text(`INSERT INTO "${PARENT}" (id, a, b, c, d) VALUES (2, ${values.join(", ")})`)),
          key,
        ).rejects.toThrow(/unique|UNIQUE/)
      }
    })

    it("a database createAll made compares equal to the models", async () => {
      await databases.reset()
      const engine = target(name).engine(`il-create-all-${name}`)
      await using connection = engine.connect()
      await createAll(models(), connection)
      expect(await new Migrator(engine, { revisions: staticRevisions([]) }).compare(models())).toEqual([])
    })

    it("autogenerate refuses a model's index name past 63 bytes, rather than proposing it on every run", async () => {
      await databases.reset()
      const engine = target(name).engine(`il-refused-${name}`)
      const metadata = new MetaData()
      table(
        "il_indexed",
        { id: column(Integer, { primaryKey: true }), a: column(Integer) },
        { metadata, indexes: [index(`ix_il_indexed_${"a".repeat(50)}`, ["a"])] },
      )
      const migrator = new Migrator(engine, { revisions: staticRevisions([]) })
      await expect(migrator.compare(metadata)).rejects.toThrow(
        /Index name of table "il_indexed" "ix_il_indexed_a{50}" is 64 bytes long \(UTF-8\), over PostgreSQL's limit of 63 bytes/,
      )
    })

    it("refuses a revision creating a name past 63 bytes, sending nothing", async () => {
      await databases.reset()
      const engine = target(name).engine(`il-op-${name}`)
      const long = `ix_${"é".repeat(31)}`
      const revision = defineRevision({
        id: "il0000000001",
        parent: null,
        message: "long index",
        upgrade(op) {
          op.createTable("il_table", [{ name: "id", type: Integer, primaryKey: true }])
          op.createIndex(long, "il_table", ["id"])
        },
        downgrade(op) {
          op.dropTable("il_table")
        },
      })
      const migrator = new Migrator(engine, { revisions: staticRevisions([revision]) })
      const error = await migrator.upgrade().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(InvalidRequestError)
      expect((error as Error).message).toMatch(
        /Revision il0000000001 \("long index"\) cannot upgrade, nothing was sent: Index name of table "il_table" "ix_é{31}" is 65 bytes long/,
      )
      const tables = await engine.execute(
        text(
          target(name).dialect === "postgresql"
            ? "SELECT table_name FROM information_schema.tables WHERE table_name = 'il_table'"
            : "SELECT name FROM sqlite_master WHERE name = 'il_table'",
        ),
      )
      expect(tables.all()).toEqual([])
    })
  },
)

describe.each(["neon-http", "libsql-http"] satisfies TargetName[])(
  "a unique index a foreign key references, on %s",
  (name) => {
    it("is introspected, so a compare after createAll finds nothing", async () => {
      await databases.reset()
      const engine = target(name).engine(`il-referenced-${name}`)
      const metadata = new MetaData()
      table(
        "il_users",
        { id: column(Integer, { primaryKey: true }), code: column(Integer, { unique: true, index: true }) },
        { metadata },
      )
      table(
        "il_badges",
        {
          id: column(Integer, { primaryKey: true }),
          userCode: column(Integer, { foreignKey: "il_users.code" }),
        },
        { metadata },
      )
      await using connection = engine.connect()
      await createAll(metadata, connection)
      // Before: PostgreSQL's introspection left out the unique index ix_il_users_code (the foreign key
      // relies on it), and every compare proposed creating it again, an upgrade that fails as it exists.
      expect(await new Migrator(engine, { revisions: staticRevisions([]) }).compare(metadata)).toEqual([])
    })
  },
)
