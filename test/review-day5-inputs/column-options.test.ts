// column() options from JavaScript callers, JSON or casts, checked where DDL is made (createAll,
// autogenerate) and where a flush first writes a model (src/sql/schema/column-checks.ts,
// src/orm/flush/model-checks.ts). Before, an option column() did not know was ignored: SQLAlchemy's
// `onupdate` left an updatedAt that never changed, `foreign_key` a column with no constraint,
// `server_default` a NOT NULL failure at the first INSERT; `nullable: "yes"` made a NOT NULL column,
// String(0) and Numeric(2, 5) columns no value fits, a Text versionId a NOT NULL failure per INSERT, and a
// column marked primaryKey beside a model primaryKey naming another one a key nobody generates.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  type ColumnSpec,
  column,
  createStatements,
  DateTime,
  Integer,
  InvalidRequestError,
  inspect,
  model,
  Numeric,
  Registry,
  String,
  select,
  sqlite,
  Text,
} from "../../src/index.ts"
import { schemaOfMetadata } from "../../src/migrate/from-metadata.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

// biome-ignore lint/suspicious/noExplicitAny: column specs of any type, as a JavaScript caller gives them
type AnyColumn = ColumnSpec<any, boolean>

/** A model of table `name` whose column `x` is `spec` (cast: these are what JavaScript callers write). */
function modelWith(name: string, spec: AnyColumn, options: { versionId?: string } = {}) {
  const registry = new Registry()
  class Thing extends model(
    name,
    { id: column(Integer, { primaryKey: true }), x: spec },
    { registry, ...options },
  ) {}
  registry.registerModels(Thing)
  return { registry, Thing }
}

const cast = (options: object) => options as never

const refused: [string, AnyColumn, RegExp][] = [
  [
    "primary_key",
    column(Integer, cast({ primary_key: true })),
    /column "x" of table "r5i_co": unknown option "primary_key" \(did you mean primaryKey\?\)/,
  ],
  [
    "server_default",
    column(Text, cast({ server_default: "a" })),
    /unknown option "server_default" \(did you mean serverDefault\?\)/,
  ],
  [
    "onupdate",
    column(DateTime, cast({ onupdate: () => new Date() })),
    /unknown option "onupdate" \(did you mean onUpdate\?\)/,
  ],
  [
    "foreign_key",
    column(Integer, cast({ foreign_key: "r5i_co.id" })),
    /unknown option "foreign_key" \(did you mean foreignKey\?\)/,
  ],
  ["index as text", column(Text, cast({ index: "yes" })), /index is true or false, got "yes"/],
  ["unique as 1", column(Text, cast({ unique: 1 })), /unique is true or false, got 1/],
  ["nullable as 'no'", column(Text, cast({ nullable: "no" })), /nullable is true or false, got "no"/],
  [
    "name as a number",
    column(Text, cast({ name: 5 })),
    /name is the column's name in the database, a string/,
  ],
  [
    "a foreign key's on_delete",
    column(Integer, cast({ foreignKey: { references: "r5i_co.id", on_delete: "CASCADE" } })),
    /foreignKey: unknown option "on_delete" \(did you mean onDelete\?\)/,
  ],
  [
    "a foreign key's onDelete not an action",
    column(Integer, cast({ nullable: true, foreignKey: { references: "r5i_co.id", onDelete: "DELETE" } })),
    /onDelete is one of CASCADE, SET NULL, SET DEFAULT, RESTRICT, NO ACTION, got "DELETE"/,
  ],
  ["String(0)", column(String(0)), /String's length is a whole number from 1, got 0/],
  ["String(-1)", column(String(-1)), /String's length is a whole number from 1, got -1/],
  ["String(2.5)", column(String(2.5)), /String's length is a whole number from 1, got 2.5/],
  ["Numeric(2, 5)", column(Numeric(2, 5)), /Numeric\(2, 5\) keeps more digits after the point than in all/],
  ["Numeric(0)", column(Numeric(0)), /Numeric's precision is a whole number from 1, got 0/],
]

describe("column() options createAll and autogenerate refuse", () => {
  it.each(refused)("%s", (_, spec, message) => {
    const { registry } = modelWith("r5i_co", spec)
    expect(() => createStatements(registry.metadata, sqlite)).toThrow(InvalidRequestError)
    expect(() => createStatements(registry.metadata, sqlite)).toThrow(message)
    expect(() => schemaOfMetadata(registry.metadata, sqlite)).toThrow(message)
  })

  it("refuses a column marked primaryKey that the model's primaryKey option leaves out", () => {
    const registry = new Registry()
    model(
      "r5i_co_pk",
      { id: column(Integer, { primaryKey: true }), code: column(Text) },
      { registry, primaryKey: ["code"] },
    )
    expect(() => createStatements(registry.metadata, sqlite)).toThrow(
      /column "id" of table "r5i_co_pk" is marked primaryKey, but the table's primaryKey option names code/,
    )
  })

  it("takes the options it knows, as given", () => {
    const { registry } = modelWith(
      "r5i_co",
      column(String(20), { nullable: true, unique: true, index: false, default: "a", name: "x_name" }),
    )
    expect(createStatements(registry.metadata, sqlite).length).toBeGreaterThan(0)
  })
})

// The table as the application's migrations made it; the models below are the ones with the mistakes.
const schema = new Registry()
class Stored extends model(
  "r5i_co_rows",
  {
    id: column(Integer, { primaryKey: true }),
    x: column(Text, { nullable: true }),
    touchedAt: column(DateTime, { nullable: true }),
    version: column(Text, { nullable: true }),
  },
  { registry: schema },
) {}
schema.registerModels(Stored)

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a model with a column option column() does not know, flushed on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5i-co-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, schema.metadata)

    it("is refused at the flush before anything is sent (onupdate: updatedAt would never change)", async () => {
      const registry = new Registry()
      class Row extends model(
        "r5i_co_rows",
        {
          id: column(Integer, { primaryKey: true }),
          x: column(Text, { nullable: true }),
          touchedAt: column(DateTime, cast({ nullable: true, onupdate: () => new Date() })),
        },
        { registry },
      ) {}
      registry.registerModels(Row)
      await using session = new AsyncSession(engine)
      const row = new Row({ id: 1, x: "a" })
      session.add(row)
      const trips: unknown[] = []
      const stop = engine.on("roundTrip", (trip) => trips.push(trip))
      await expect(session.commit()).rejects.toThrow(
        /column "touchedAt" of table "r5i_co_rows": unknown option "onupdate" \(did you mean onUpdate\?\)/,
      )
      stop()
      expect(trips).toEqual([])
      // Nothing lost: still pending, and nothing in the table.
      expect(inspect(row).state).toBe("pending")
      await using reading = new AsyncSession(engine)
      expect((await reading.scalars(select(Stored))).all()).toEqual([])
    })

    it("refuses a versionId naming a Text column (each INSERT failed on its NOT NULL)", async () => {
      const registry = new Registry()
      class Row extends model(
        "r5i_co_rows",
        {
          id: column(Integer, { primaryKey: true }),
          x: column(Text, { nullable: true }),
          version: column(Text),
        },
        { registry, versionId: "version" },
      ) {}
      registry.registerModels(Row)
      await using session = new AsyncSession(engine)
      session.add(new Row({ id: 2, x: "b", version: "v1" }))
      await expect(session.commit()).rejects.toThrow(
        /versionId names version, a text column: a version column is an Integer/,
      )
      await using reading = new AsyncSession(engine)
      expect((await reading.scalars(select(Stored))).all()).toEqual([])
    })

    it("writes a model whose options are all known", async () => {
      const registry = new Registry()
      class Row extends model(
        "r5i_co_rows",
        { id: column(Integer, { primaryKey: true }), x: column(Text, { nullable: true, default: "d" }) },
        { registry },
      ) {}
      registry.registerModels(Row)
      await using session = new AsyncSession(engine)
      session.add(new Row({ id: 3 }))
      await session.commit()
      await using reading = new AsyncSession(engine)
      const rows = (await reading.scalars(select(Stored))).all()
      expect(rows.map((row) => [row.id, row.x])).toEqual([[3, "d"]])
    })
  })
}
