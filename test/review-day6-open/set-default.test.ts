// A bulk DELETE or UPDATE of a parent while the session holds children whose foreign key says ON
// DELETE / ON UPDATE SET DEFAULT: the database gives their rows the column's default (here the inbox
// folder, 2), and the held children must say so, as bulk-relink makes them follow CASCADE and SET NULL.
// Before, a held memo kept its old key and its many-to-one named the deleted (or re-keyed) folder,
// while the inbox's loaded collection lacked it: deleting the inbox with a delete cascade left the memo
// behind (the database refused the parent's DELETE), and a flush of the memo wrote nothing about it.
// A key column without a server default is set to NULL by SET DEFAULT, as by SET NULL.
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
  update,
} from "../../src/index.ts"
import type { SynchronizeSession } from "../../src/orm/bulk-sync.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Folder extends model(
  "r6o_sd_folders",
  {
    id: column(Integer, { primaryKey: true }),
    memos: relationship<Memo[]>("Memo", { backPopulates: "folder", cascade: "all, delete-orphan" }),
    drafts: relationship<Draft[]>("Draft", { backPopulates: "folder" }),
  },
  { registry },
) {}
class Memo extends model(
  "r6o_sd_memos",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20)),
    folderId: column(Integer, {
      serverDefault: 2,
      foreignKey: { references: "r6o_sd_folders.id", onDelete: "SET DEFAULT", onUpdate: "SET DEFAULT" },
    }),
    folder: relationship<Folder>("Folder", { backPopulates: "memos" }),
  },
  { registry },
) {}
/** No server default: SET DEFAULT gives NULL. */
class Draft extends model(
  "r6o_sd_drafts",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20)),
    folderId: column(Integer, {
      nullable: true,
      foreignKey: { references: "r6o_sd_folders.id", onDelete: "SET DEFAULT", onUpdate: "SET DEFAULT" },
    }),
    folder: relationship<Folder | null>("Folder", { backPopulates: "drafts" }),
  },
  { registry },
) {}
registry.registerModels(Folder, Memo, Draft)

const MODES: SynchronizeSession[] = ["auto", "evaluate", "fetch"]

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`held children of a parent deleted or re-keyed under SET DEFAULT, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r6o-sd-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    async function seeded(session: AsyncSession) {
      {
        await using s = new AsyncSession(engine)
        for (const model of [Memo, Draft, Folder])
          await s.execute(deleteFrom(model), { synchronizeSession: false })
        s.add(
          new Folder({
            id: 1,
            memos: [new Memo({ id: 1, label: "m" })],
            drafts: [new Draft({ id: 1, label: "d" })],
          }),
        )
        s.add(new Folder({ id: 2, memos: [new Memo({ id: 2, label: "kept" })] }))
        await s.commit()
      }
      const folders = (
        await session.scalars(
          select(Folder).orderBy(Folder.id).options(selectinload(Folder.memos), selectinload(Folder.drafts)),
        )
      ).all() as Folder[]
      const [one, inbox] = folders as [Folder, Folder]
      return { one, inbox, memo: one.memos[0] as Memo, draft: one.drafts[0] as Draft }
    }

    async function rows() {
      await using r = new AsyncSession(engine)
      const all = async (statement: Parameters<AsyncSession["execute"]>[0]) =>
        (await r.execute(statement)).all().map((row) => [...(row as unknown as unknown[])])
      return {
        folders: await all(select(Folder.id).orderBy(Folder.id)),
        memos: await all(select(Memo.id, Memo.folderId, Memo.label).orderBy(Memo.id)),
        drafts: await all(select(Draft.id, Draft.folderId).orderBy(Draft.id)),
      }
    }

    for (const mode of MODES) {
      it(`(${mode}) ON DELETE SET DEFAULT: the memo is the inbox's, the draft in no folder`, async () => {
        await using session = new AsyncSession(engine)
        const { one, inbox, memo, draft } = await seeded(session)
        await session.execute(deleteFrom(Folder).where(Folder.id.eq(1)), { synchronizeSession: mode })
        expect(inspect(one).state).toBe("detached")
        expect([inspect(memo).state, memo.folderId, memo.folder === inbox]).toEqual(["persistent", 2, true])
        expect(inbox.memos.map((m) => m.id)).toEqual([2, 1])
        expect([draft.folderId, draft.folder]).toEqual([null, null])
        expect(await rows()).toEqual({
          folders: [[2]],
          memos: [
            [1, 2, "m"],
            [2, 2, "kept"],
          ],
          drafts: [[1, null]],
        })
        // The inbox and all its memos go with its delete cascade: nothing is left pointing at it.
        await session.delete(inbox)
        await session.commit()
        expect(await rows()).toEqual({ folders: [], memos: [], drafts: [[1, null]] })
      })
    }

    it("(evaluate) ON UPDATE SET DEFAULT: the memo follows to the inbox; a rollback puts it back", async () => {
      await using session = new AsyncSession(engine)
      const { one, inbox, memo, draft } = await seeded(session)
      await session.begin()
      await session.execute(update(Folder).where(Folder.id.eq(1)).values({ id: 10 }), {
        synchronizeSession: "evaluate",
      })
      expect([one.id, one.memos, one.drafts]).toEqual([10, [], []])
      expect([memo.folderId, memo.folder === inbox, inbox.memos.map((m) => m.id)]).toEqual([2, true, [2, 1]])
      expect([draft.folderId, draft.folder]).toEqual([null, null])
      await session.rollback()
      expect([one.id, memo.folderId, draft.folderId]).toEqual([1, 1, 1])
      memo.label = "m2"
      await session.commit()
      expect((await rows()).memos).toEqual([
        [1, 1, "m2"],
        [2, 2, "kept"],
      ])
    })
  })
}
