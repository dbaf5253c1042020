// c9bc0d7 moved the naming and checking of what a table declares (unique constraints, indexes) from
// table()/model() to declaredConstraints(table), asked by createAll and autogenerate. A unique or index
// over a column the model lacks (a typo) was refused when the model was defined; after c9bc0d7 a
// program whose tables were made elsewhere (by migrations, as the blog's are) never asked: its flush
// wrote as if the model were right. The flush refuses it again, where it first writes the model, before
// anything is sent. Also: foreign keys no longer carry their conventional name on the table, and three
// messages printed "Foreign key undefined"; they now name the key by its columns.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  InvalidRequestError,
  index,
  MetaData,
  model,
  postgresql,
  Registry,
  String,
  select,
  table,
  text,
  unique,
} from "../../src/index.ts"
import { createStatements, dropStatements } from "../../src/sql/ddl.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

// The tables as the database has them (made by a migration, say).
const registry = new Registry()
class Member extends model(
  "r5l_dc_members",
  { id: column(Integer, { primaryKey: true }), handle: column(String(20)) },
  { registry },
) {}
registry.registerModels(Member)

// The application's models over those tables, each with a typo in what it declares.
const typoUnique = new Registry()
class UniqueTypo extends model(
  "r5l_dc_members",
  { id: column(Integer, { primaryKey: true }), handle: column(String(20)) },
  { registry: typoUnique, constraints: [unique(["handel"])] },
) {}
typoUnique.registerModels(UniqueTypo)
const typoIndex = new Registry()
class IndexTypo extends model(
  "r5l_dc_members",
  { id: column(Integer, { primaryKey: true }), handle: column(String(20)) },
  { registry: typoIndex, indexes: [index("ix_r5l_dc_handle", ["handel"])] },
) {}
typoIndex.registerModels(IndexTypo)

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`a model declaring a unique or index over a missing column, flushed on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5l-dc-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    for (const [label, Model] of [
      ["unique", UniqueTypo],
      ["index", IndexTypo],
    ] as const) {
      it(`refuses the ${label} before anything is sent, naming the column`, async () => {
        const sent: string[] = []
        const stop = engine.on("statement", (event) => sent.push(event.sql))
        try {
          await using session = new AsyncSession(engine)
          session.add(new Model({ handle: "ann" }))
          await expect(session.commit()).rejects.toThrow(InvalidRequestError)
          expect(sent).toEqual([])
          await session.rollback()
          session.add(new Model({ handle: "bob" }))
          await expect(session.commit()).rejects.toThrow(/has no column "handel"/)
        } finally {
          stop()
        }
        await using reading = new AsyncSession(engine)
        expect((await reading.scalars(select(Member))).all()).toEqual([])
        // The right model still writes.
        await using writing = new AsyncSession(engine)
        writing.add(new Member({ handle: "cy" }))
        await writing.commit()
        await writing.execute(text("DELETE FROM r5l_dc_members"))
        await writing.commit()
      })
    }
  })
}

describe("messages about a foreign key the model left unnamed", () => {
  it("name it by its columns where its referenced table is missing", () => {
    const md = new MetaData()
    table(
      "r5l_dc_posts",
      {
        id: column(Integer, { primaryKey: true }),
        authorId: column(Integer, { foreignKey: "r5l_dc_nobody.id" }),
      },
      { metadata: md },
    )
    for (const make of [() => dropStatements(md), () => createStatements(md, postgresql)])
      expect(make).toThrow(/^Foreign key \(authorId\) of r5l_dc_posts references table "r5l_dc_nobody"/)
  })

  it("name it by its columns where an onDelete is not a referential action", () => {
    const md = new MetaData()
    table("r5l_dc_people", { id: column(Integer, { primaryKey: true }) }, { metadata: md })
    table(
      "r5l_dc_notes",
      {
        id: column(Integer, { primaryKey: true }),
        personId: column(Integer, {
          foreignKey: { references: "r5l_dc_people.id", onDelete: "cascade" as never },
        }),
      },
      { metadata: md },
    )
    expect(() => createStatements(md, postgresql)).toThrow(
      /^Foreign key \(personId\) of table "r5l_dc_notes": onDelete is one of/,
    )
  })

  it("name it by its columns where a join follows it to a missing column", () => {
    const people = table("r5l_dc_humans", { id: column(Integer, { primaryKey: true }) })
    const notes = table("r5l_dc_memos", {
      id: column(Integer, { primaryKey: true }),
      humanId: column(Integer, { foreignKey: "r5l_dc_humans.uuid" }),
    })
    expect(() => select(notes.c.id).selectFrom(notes).join(people).compile(postgresql)).toThrow(
      /^Foreign key \(humanId\) of r5l_dc_memos references a missing column r5l_dc_humans.uuid/,
    )
  })
})
