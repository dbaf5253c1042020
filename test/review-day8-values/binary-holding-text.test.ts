// A LargeBinary reads bytes (Uint8Array). A SQLite BLOB column keeps whatever another writer gave it
// (text, an integer, a real), and a PostgreSQL database as found may have a text column mapped as
// bytes. Such a value was read as a different thing on each path, silently: get() and a select gave
// the driver's string 'abc', bigint 42n or number 1.5 (not a Uint8Array, though the type says so),
// while a selectin or joined load (which carries bytes through SQLite's hex()) gave the text's UTF-8
// bytes [97, 98, 99], or [52, 50] for 42; on PostgreSQL, a load of a text column's 'abc' decoded it as
// hex into garbage. Now it is a DataError naming the value on every path, as a Float holding text or a
// DateOnly holding a number is (README: databases as found); real bytes read as before.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  joinedload,
  LargeBinary,
  model,
  Registry,
  relationship,
  select,
  selectinload,
  text,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"

const registry = new Registry()
class Folder extends model(
  "d8v_bin_folders",
  {
    id: column(Integer, { primaryKey: true }),
    files: relationship<Attachment[]>("Attachment", { backPopulates: "folder" }),
  },
  { registry },
) {}
class Attachment extends model(
  "d8v_bin_files",
  {
    id: column(Integer, { primaryKey: true }),
    folderId: column(Integer, { foreignKey: "d8v_bin_folders.id" }),
    folder: relationship<Folder>("Folder", { backPopulates: "files" }),
    body: column(LargeBinary, { nullable: true }),
  },
  { registry },
) {}
registry.registerModels(Folder, Attachment)

const reads: Record<string, (session: AsyncSession, id: number) => Promise<unknown>> = {
  "get()": async (session, id) => (await session.get(Attachment, id))?.body,
  "a column select": async (session, id) =>
    (await session.execute(select(Attachment.body).where(Attachment.id.eq(id)))).scalar(),
  selectinload: async (session, id) =>
    (await session.scalars(select(Folder).where(Folder.id.eq(id)).options(selectinload(Folder.files)))).one()
      .files[0]?.body,
  joinedload: async (session, id) =>
    (await session.scalars(select(Folder).where(Folder.id.eq(id)).options(joinedload(Folder.files))))
      .unique()
      .one().files[0]?.body,
}

const fixtures = [
  neonFixture("http", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("d8v-bin"), "bin.db")),
]
for (const fixture of fixtures) {
  describe(`a LargeBinary holding what is no bytes on ${fixture.name}`, () => {
    const engine = fixture.engine(`d8v-bin-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    const sqlite = fixture.dialect === "sqlite"
    let nextId = 1
    let pgColumnType = "BYTEA"

    /** A row whose body is `sql`; on PostgreSQL the column made text first, as a database found so. */
    async function written(sql: string, columnType = "BYTEA"): Promise<number> {
      const id = nextId++
      await using connection = engine.connect()
      if (!sqlite && columnType !== pgColumnType) {
        pgColumnType = columnType
        const using = columnType === "TEXT" ? "encode(body, 'escape')" : "decode(body, 'escape')"
        await connection.execute(
          text(`ALTER TABLE d8v_bin_files ALTER COLUMN body TYPE ${columnType} USING ${using}`),
        )
      }
      await connection.execute(text(`INSERT INTO d8v_bin_folders (id) VALUES (${id})`))
      await connection.execute(
        text(`INSERT INTO d8v_bin_files (id, "folderId", body) VALUES (${id}, ${id}, ${sql})`),
      )
      return id
    }

    /** What each read path gives: the bytes as an array, "refused" for the DataError, or the error. */
    async function readsEverywhere(id: number): Promise<unknown[]> {
      const values: unknown[] = []
      for (const read of Object.values(reads)) {
        await using session = new AsyncSession(engine)
        values.push(
          await read(session, id).then(
            (value) => (value instanceof Uint8Array ? [...value] : value),
            (error: Error) =>
              error.name === "DataError" && error.message.startsWith("A binary value cannot hold")
                ? "refused"
                : `${error.name}: ${error.message}`,
          ),
        )
      }
      return values
    }
    const everywhere = (value: unknown) => Object.keys(reads).map(() => value)

    if (sqlite) {
      for (const [label, sql] of [
        ["text", "'abc'"],
        ["an integer", "42"],
        ["a real", "1.5"],
      ]) {
        it(`${label} is a DataError on every path`, async () => {
          expect(await readsEverywhere(await written(sql as string))).toEqual(everywhere("refused"))
        })
      }
    } else {
      it("a text column's text is a DataError on every path", async () => {
        expect(await readsEverywhere(await written("'abc'", "TEXT"))).toEqual(everywhere("refused"))
      })
    }
    it("bytes, empty bytes and NULL read as before", async () => {
      const bytes = sqlite ? "X'00FF5C78'" : "'\\x00ff5c78'::bytea"
      expect(await readsEverywhere(await written(bytes))).toEqual(everywhere([0, 255, 92, 120]))
      expect(await readsEverywhere(await written(sqlite ? "X''" : "''::bytea"))).toEqual(everywhere([]))
      expect(await readsEverywhere(await written("NULL"))).toEqual(everywhere(null))
    })
  })
}
