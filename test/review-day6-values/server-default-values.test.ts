// A serverDefault given as a value is written into the DDL as a literal, and was not checked as a value
// written to the column is: the two databases then stored different values for one model. PostgreSQL
// rounded an Integer's 1.5 to 2 and a Numeric(10, 2)'s "1.555" to "1.56" and lowercased a Uuid, where
// SQLite kept 1.5 (in an Integer), "1.555" and the capitals; a String(3)'s "toolong" failed every INSERT
// on PostgreSQL, midway through a commit, and was stored on SQLite. Now createAll, autogenerate and the
// flush refuse such a default with an InvalidRequestError naming the column, before anything is sent; a
// default the column holds is stored alike on both.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  BigInteger,
  Boolean,
  type ColumnSpec,
  column,
  createAll,
  DateOnly,
  Enum,
  Float,
  Integer,
  MetaData,
  model,
  Numeric,
  Registry,
  String,
  select,
  Text,
  table,
  text,
  Uuid,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { scratchDir } from "../setup/scratch.ts"

const refused: [string, ColumnSpec<unknown>][] = [
  ["Integer 1.5", column(Integer, { serverDefault: 1.5 })],
  ['Integer "1.5"', column(Integer, { serverDefault: "1.5" })],
  ["Integer 2**40", column(Integer, { serverDefault: 2 ** 40 })],
  ["Integer true", column(Integer, { serverDefault: true })],
  ['Numeric(10, 2) "1.555"', column(Numeric(10, 2), { serverDefault: "1.555" })],
  ["Numeric(10, 2) -1.125", column(Numeric(10, 2), { serverDefault: -1.125 })],
  ["Uuid in capitals", column(Uuid, { serverDefault: "A0000000-0000-4000-8000-00000000000F" })],
  ['String(3) "toolong"', column(String(3), { serverDefault: "toolong" })],
  ['Enum("a", "b") "c"', column(Enum("a", "b"), { serverDefault: "c" })],
  ['DateOnly "2023-02-30"', column(DateOnly, { serverDefault: "2023-02-30" })],
  ['Float "abc"', column(Float, { serverDefault: "abc" })],
  ['Boolean "false"', column(Boolean, { serverDefault: "false" })],
  ["Boolean 1", column(Boolean, { serverDefault: 1 })],
  ["Text true", column(Text, { serverDefault: true })],
]

/** Defaults the column holds, and what each reads back as, on both databases. */
const held: [string, ColumnSpec<unknown>, unknown][] = [
  ["Integer 7", column(Integer, { serverDefault: 7 }), 7],
  ['Integer "2"', column(Integer, { serverDefault: "2" }), 2],
  [
    'BigInteger "9007199254740993"',
    column(BigInteger, { serverDefault: "9007199254740993" }),
    9007199254740993n,
  ],
  ['Numeric(10, 2) "1.5"', column(Numeric(10, 2), { serverDefault: "1.5" }), "1.50"],
  ["Numeric(10, 2) -2.5", column(Numeric(10, 2), { serverDefault: -2.5 }), "-2.50"],
  ['Float "1e3"', column(Float, { serverDefault: "1e3" }), 1000],
  [
    "Uuid",
    column(Uuid, { serverDefault: "a0000000-0000-4000-8000-00000000000f" }),
    "a0000000-0000-4000-8000-00000000000f",
  ],
  ['String(3) "abc"', column(String(3), { serverDefault: "abc" }), "abc"],
  ['Enum("a", "b") "b"', column(Enum("a", "b"), { serverDefault: "b" }), "b"],
  ['DateOnly "2024-02-29"', column(DateOnly, { serverDefault: "2024-02-29" }), "2024-02-29"],
  ["Boolean false", column(Boolean, { serverDefault: false }), false],
]

const fixtures = [
  neonFixture("http", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("d6v-defaults"), "defaults.db")),
]
for (const fixture of fixtures) {
  describe(`server defaults as values on ${fixture.name}`, () => {
    const engine = fixture.engine(`d6v-defaults-${fixture.name}-${Date.now().toString(36)}`)
    let n = 0
    const name = () => `d6v_sd_${fixture.name.replace("-", "_")}_${n++}`

    async function exists(tableName: string): Promise<boolean> {
      await using connection = engine.connect()
      const sql =
        fixture.dialect === "postgresql"
          ? `SELECT count(*) FROM pg_tables WHERE tablename = '${tableName}'`
          : `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '${tableName}'`
      return Number((await connection.execute(text(sql))).scalar()) === 1
    }

    for (const [label, spec] of refused) {
      it(`${label}: createAll and the flush refuse it before anything is sent`, async () => {
        const metadata = new MetaData()
        const tableName = name()
        table(tableName, { id: column(Integer, { primaryKey: true }), value: spec }, { metadata })
        {
          await using connection = engine.connect()
          await expect(createAll(metadata, connection)).rejects.toMatchObject({
            name: "InvalidRequestError",
            message: expect.stringMatching(
              /column "value" of table "d6v_sd_.*": serverDefault .* is not a value the column holds/,
            ),
          })
        }
        expect(await exists(tableName)).toBe(false)

        // A model of a table made elsewhere (with no default): its flush refuses the default too.
        const registry = new Registry()
        class Row extends model(
          tableName,
          { id: column(Integer, { primaryKey: true }), value: spec } as never,
          {
            registry,
          },
        ) {}
        registry.registerModels(Row)
        {
          await using connection = engine.connect()
          await connection.execute(text(`CREATE TABLE ${tableName} (id INTEGER PRIMARY KEY, value TEXT)`))
        }
        await using session = new AsyncSession(engine)
        session.add(new Row({ id: 1 } as never))
        await expect(session.commit()).rejects.toMatchObject({ name: "InvalidRequestError" })
        await using reader = new AsyncSession(engine)
        expect((await reader.execute(text(`SELECT count(*) FROM ${tableName}`))).scalar()).toEqual(
          fixture.dialect === "postgresql" ? "0" : 0n,
        )
      })
    }

    it("a default the column holds is stored as given, the same on both databases", async () => {
      const registry = new Registry()
      const specs = Object.fromEntries(held.map(([, spec], i) => [`c${i}`, spec]))
      class Defaults extends model(name(), { id: column(Integer, { primaryKey: true }), ...specs } as never, {
        registry,
      }) {}
      registry.registerModels(Defaults)
      {
        await using connection = engine.connect()
        await createAll(registry.metadata, connection)
      }
      await using session = new AsyncSession(engine)
      const row = new Defaults({ id: 1 } as never)
      session.add(row)
      await session.commit()
      await using reader = new AsyncSession(engine)
      const read = (await reader.scalars(select(Defaults))).one() as unknown as Record<string, unknown>
      const expected = Object.fromEntries(held.map(([label, , value], i) => [`c${i}`, [label, value]]))
      const got = (object: Record<string, unknown>) =>
        Object.fromEntries(held.map(([label], i) => [`c${i}`, [label, object[`c${i}`]]]))
      expect(got(row as unknown as Record<string, unknown>)).toEqual(expected)
      expect(got(read)).toEqual(expected)
    })
  })
}
