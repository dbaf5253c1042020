// A bulk DELETE of a parent while the session holds its children: the database's ON DELETE action on
// the children's foreign key changes their rows too (CASCADE deletes them, SET NULL clears their key),
// and the held children must say so, as a bulk DELETE's own rows do (their objects are let go).
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  deleteFrom,
  Integer,
  inspect,
  model,
  Registry,
  relationship,
  String,
  select,
  selectinload,
} from "../../src/index.ts"
import type { SynchronizeSession } from "../../src/orm/bulk-sync.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Folder extends model(
  "r5k_pd_folders",
  {
    id: column(Integer, { primaryKey: true }),
    files: relationship<File[]>("File", { backPopulates: "folder" }),
    notes: relationship<Note[]>("Note", { backPopulates: "folder" }),
  },
  { registry },
) {}
class File extends model(
  "r5k_pd_files",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20)),
    folderId: column(Integer, { foreignKey: { references: "r5k_pd_folders.id", onDelete: "CASCADE" } }),
    folder: relationship<Folder>("Folder", { backPopulates: "files" }),
  },
  { registry },
) {}
class Note extends model(
  "r5k_pd_notes",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20)),
    folderId: column(Integer, {
      nullable: true,
      foreignKey: { references: "r5k_pd_folders.id", onDelete: "SET NULL" },
    }),
    folder: relationship<Folder | null>("Folder", { backPopulates: "notes" }),
  },
  { registry },
) {}
registry.registerModels(Folder, File, Note)

const MODES: SynchronizeSession[] = ["auto", "evaluate", "fetch"]

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`a bulk DELETE of a parent with held children, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5k-pd-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    async function seeded(session: AsyncSession) {
      {
        await using s = new AsyncSession(engine)
        for (const model of [File, Note, Folder])
          await s.execute(deleteFrom(model), { synchronizeSession: false })
        s.add(
          new Folder({
            id: 1,
            files: [new File({ id: 1, label: "f" })],
            notes: [new Note({ id: 1, label: "n" })],
          }),
        )
        s.add(new Folder({ id: 2 }))
        await s.commit()
      }
      const folders = (
        await session.scalars(
          select(Folder).orderBy(Folder.id).options(selectinload(Folder.files), selectinload(Folder.notes)),
        )
      ).all() as Folder[]
      const [one, two] = folders as [Folder, Folder]
      return { one, two, file: one.files[0] as File, note: one.notes[0] as Note }
    }

    async function rows() {
      await using r = new AsyncSession(engine)
      const all = async (statement: Parameters<AsyncSession["execute"]>[0]) =>
        (await r.execute(statement)).all().map((row) => [...(row as unknown as unknown[])])
      return {
        files: await all(select(File.id, File.folderId, File.label).orderBy(File.id)),
        notes: await all(select(Note.id, Note.folderId, Note.label).orderBy(Note.id)),
      }
    }

    for (const mode of MODES) {
      it(`(${mode}) CASCADE lets the held child go; SET NULL clears its key and many-to-one`, async () => {
        await using session = new AsyncSession(engine)
        const { one, two, file, note } = await seeded(session)
        await session.execute(deleteFrom(Folder).where(Folder.id.eq(1)), { synchronizeSession: mode })
        expect([inspect(one).state, inspect(file).state]).toEqual(["detached", "detached"])
        expect(await session.get(File, 1)).toBeNull()
        expect([inspect(note).state, note.folderId, note.folder]).toEqual(["persistent", null, null])
        // The note goes on: renamed and filed in folder 2.
        note.label = "n2"
        note.folder = two
        await session.commit()
        expect(await rows()).toEqual({ files: [], notes: [[1, 2, "n2"]] })
      })
    }

    it("(auto) inside a transaction that rolls back: the children are back as they were", async () => {
      await using session = new AsyncSession(engine)
      const { one, file, note } = await seeded(session)
      await session.begin()
      await session.execute(deleteFrom(Folder).where(Folder.id.eq(1)))
      // Its row deleted by the open transaction: 'deleted' until it ends (SQLAlchemy's).
      expect([inspect(file).state, note.folderId]).toEqual(["deleted", null])
      await session.rollback()
      expect([inspect(one).state, inspect(file).state, inspect(note).state]).toEqual([
        "persistent",
        "persistent",
        "persistent",
      ])
      expect([file.folderId, note.folderId]).toEqual([1, 1])
      expect(await session.get(File, 1)).toBe(file)
      file.label = "f2"
      await session.commit()
      expect(await rows()).toEqual({ files: [[1, 1, "f2"]], notes: [[1, 1, "n"]] })
    })
  })
}
