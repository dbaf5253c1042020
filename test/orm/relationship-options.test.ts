// relationship()'s options: `cascade` as SQLAlchemy spells it ("all, delete-orphan"), a new object
// linked through a relationship whose cascade leaves out save-update, and options it does not know
// (SQLAlchemy's `back_populates`), refused where they were ignored. Before: a string was read as a set of its
// characters, so "all, delete-orphan" cascaded nothing, and a new child linked through a relationship
// without save-update was silently left out of the commit, its foreign key holding a key reference.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  InvalidRequestError,
  inspect,
  model,
  Registry,
  type RelationshipOptions,
  relationship,
  String,
  select,
  selectinload,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "./fresh-schema.ts"

function models(cascade: NonNullable<RelationshipOptions["cascade"]>) {
  const registry = new Registry()
  class Folder extends model(
    "co_folders",
    {
      id: column(Integer, { primaryKey: true }),
      label: column(String(40)),
      files: relationship<File[]>("File", { backPopulates: "folder", cascade }),
    },
    { registry },
  ) {}
  class File extends model(
    "co_files",
    {
      id: column(Integer, { primaryKey: true }),
      label: column(String(40)),
      folderId: column(Integer, { nullable: true, foreignKey: "co_folders.id" }),
      folder: relationship<Folder | null>("Folder", { backPopulates: "files" }),
    },
    { registry },
  ) {}
  registry.registerModels(Folder, File)
  return { registry, Folder, File }
}

describe("relationship()'s cascade option", () => {
  it.each([
    ["all, delete-orphan", ["save-update", "delete", "delete-orphan"]],
    [" save-update ,merge, refresh-expire,expunge ", ["save-update"]],
    ["delete", ["delete"]],
    // As SQLAlchemy reads it: empty items are skipped, and "" or "none" is no cascade.
    ["", []],
    ["none", []],
    ["all, delete-orphan, ", ["save-update", "delete", "delete-orphan"]],
  ])("reads SQLAlchemy's text %j", (text, cascades) => {
    const { Folder } = models(text)
    const property = (Folder as unknown as { files: { property: { cascade: Set<string> } } }).files.property
    expect([...property.cascade].sort()).toEqual([...cascades].sort())
  })

  it("takes a list, all included", () => {
    const { Folder } = models(["all", "delete-orphan"])
    const property = (Folder as unknown as { files: { property: { cascade: Set<string> } } }).files.property
    expect([...property.cascade].sort()).toEqual(["delete", "delete-orphan", "save-update"])
  })

  it("refuses a name it does not know, and a value that is neither list nor text", () => {
    expect(() => relationship("File", { cascade: "all delete-orphan" })).toThrow(InvalidRequestError)
    expect(() => relationship("File", { cascade: "all delete-orphan" })).toThrow(
      /unknown cascade "all delete-orphan"; it may name save-update, delete, delete-orphan, all, none, merge/,
    )
    expect(() => relationship("File", { cascade: ["save_update"] as never })).toThrow(
      /unknown cascade "save_update"/,
    )
    expect(() => relationship("File", { cascade: 3 as never })).toThrow(/cascade is a list/)
  })
})

describe("relationship()'s other options", () => {
  it("refuses an option it does not know, naming the one meant", () => {
    expect(() => relationship("File", { back_populates: "folder" } as never)).toThrow(
      /relationship\("File"\): unknown option "back_populates" \(did you mean backPopulates\?\); it takes backPopulates, secondary/,
    )
    expect(() => relationship("File", { order_by: "id" } as never)).toThrow(
      /unknown option "order_by" \(did you mean orderBy\?\); it takes/,
    )
  })

  it("refuses a loading it does not do", () => {
    expect(() => relationship("File", { lazy: "select" as never })).toThrow(
      /lazy is one of raise, selectin, joined \(nothing loads when read: there is no lazy "select"\), got select/,
    )
    for (const lazy of ["raise", "selectin", "joined"] as const)
      expect(() => relationship("File", { lazy })).not.toThrow()
  })
})

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`cascades at commit, on ${fixture.name}`, () => {
    const name = `cascade-options-${fixture.name}-${Date.now().toString(36)}`

    describe('"all, delete-orphan"', () => {
      const { registry, Folder, File } = models("all, delete-orphan")
      const engine = fixture.engine(`${name}-all`)
      freshSchema(engine, registry.metadata)

      it("saves new children with their parent, and deletes the orphans and the children of a deleted parent", async () => {
        let folderId: number
        {
          await using session = new AsyncSession(engine)
          const folder = new Folder({ label: "docs" })
          new File({ label: "a", folder })
          new File({ label: "b", folder })
          session.add(folder)
          await session.commit()
          folderId = folder.id
          expect(folder.files.map((file) => inspect(file).state)).toEqual(["persistent", "persistent"])
        }
        await using session = new AsyncSession(engine)
        const folder = (
          await session.scalars(
            select(Folder).where(Folder.id.eq(folderId)).options(selectinload(Folder.files)),
          )
        ).one()
        folder.files.splice(0, 1)
        await session.commit()
        expect((await session.scalars(select(File.label).where(File.folderId.eq(folderId)))).all()).toEqual([
          "b",
        ])
        await session.delete(folder)
        await session.commit()
        expect((await session.scalars(select(File.label).where(File.label.in(["a", "b"])))).all()).toEqual([])
      })
    })

    describe("a relationship without save-update", () => {
      const { registry, Folder, File } = models(["delete"])
      const engine = fixture.engine(`${name}-delete`)
      freshSchema(engine, registry.metadata)

      it("refuses to commit a new child only it links, writing nothing; committed once the child is added", async () => {
        await using session = new AsyncSession(engine)
        const folder = new Folder({ label: "refused" })
        const file = new File({ label: "linked only" })
        folder.files.push(file)
        session.add(folder)
        await expect(session.commit()).rejects.toThrow(
          /A new .* is in .*\.files, whose cascade leaves out save-update: the flush would not save it/,
        )
        expect(inspect(folder).state).toBe("pending")
        expect(file.folderId).toBeNull()
        await using reader = new AsyncSession(engine)
        expect(await reader.scalar(select(Folder.id).where(Folder.label.eq("refused")))).toBeUndefined()
        session.add(file)
        await session.commit()
        expect(file.folderId).toBe(folder.id)
        expect(await reader.scalar(select(File.folderId).where(File.label.eq("linked only")))).toBe(folder.id)
      })
    })
  })
}
