// A Numeric on SQLite is kept as a 64-bit integer or a double (NUMERIC affinity), so a value of more than
// 15 significant digits is refused when written or compared (src/sql/numeric-store.ts) rather than
// rounded. A serverDefault of such a value was not: createAll and the migrations wrote it into the DDL,
// and SQLite stored every row that took it rounded ("12345678901234567890.125" read back
// "12345678901234600000"), where PostgreSQL holds it exactly, silently. Now createAll, autogenerate's
// model schema and a revision refuse it on SQLite, naming the value, before anything is created; on
// PostgreSQL it is created and read back exact, and a default SQLite holds is stored as given.
//
// Why refuse, not keep the column's values as text on SQLite: a NUMERIC column of a database already
// made keeps converting text to numbers (affinity belongs to the declared type), and a column made to
// keep text orders and compares as text (ORDER BY gives '10.00' before '9.00'; a number compares below
// every text, so a bound number or an aggregate never matches: 71002fb). SQLAlchemy's own Numeric on
// SQLite converts to a float and warns; edgealchemy refuses what it would round.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  createAll,
  createStatements,
  Integer,
  MetaData,
  model,
  Numeric,
  Registry,
  select,
  sqlite,
  table,
  text,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { defineRevision, Numeric as MigrateNumeric, Migrator, schemaOfMetadata } from "../../src/migrate.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { scratchDir } from "../setup/scratch.ts"

const LONG = "12345678901234567890.125"
const refusal = {
  name: "InvalidRequestError",
  message: expect.stringContaining(
    `serverDefault "${LONG}" is not a value the column holds on sqlite (A numeric value cannot hold "${LONG}": SQLite keeps 15 significant digits`,
  ),
}

function longDefaults(tableName: string): MetaData {
  const metadata = new MetaData()
  table(
    tableName,
    {
      id: column(Integer, { primaryKey: true }),
      amount: column(Numeric(), { serverDefault: LONG }),
      scaled: column(Numeric(30, 3), { serverDefault: LONG }),
    },
    { metadata },
  )
  return metadata
}

describe("a Numeric serverDefault SQLite would round, without a database", () => {
  it("createAll's statements and autogenerate's model schema refuse it on SQLite", () => {
    const ddl = () => createStatements(longDefaults("d8v_nd_plain"), sqlite).map((s) => s.compile(sqlite))
    expect(ddl).toThrow(expect.objectContaining(refusal))
    expect(() => schemaOfMetadata(longDefaults("d8v_nd_plain"), sqlite)).toThrow(
      expect.objectContaining(refusal),
    )
  })
})

const fixtures = [
  neonFixture("http", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("d8v-numeric-default"), "defaults.db")),
]
for (const fixture of fixtures) {
  describe(`a Numeric serverDefault on ${fixture.name}`, () => {
    const scope = `d8v-nd-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    const suffix = fixture.name.replace("-", "_")
    const sqliteTarget = fixture.dialect === "sqlite"

    async function tableExists(name: string): Promise<boolean> {
      await using connection = engine.connect()
      const sql = sqliteTarget
        ? `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '${name}'`
        : `SELECT count(*) FROM pg_tables WHERE tablename = '${name}'`
      return Number((await connection.execute(text(sql))).scalar()) === 1
    }

    it(
      sqliteTarget ? "createAll refuses 22 digits before creating anything" : "createAll keeps 22 digits",
      async () => {
        const name = `d8v_nd_${suffix}_all`
        const registry = new Registry()
        class Row extends model(
          name,
          {
            id: column(Integer, { primaryKey: true }),
            amount: column(Numeric(), { serverDefault: LONG }),
            scaled: column(Numeric(30, 3), { serverDefault: LONG }),
          },
          { registry },
        ) {}
        {
          await using connection = engine.connect()
          await connection.execute(text(`DROP TABLE IF EXISTS ${name}`))
          if (sqliteTarget) {
            await expect(createAll(registry.metadata, connection)).rejects.toMatchObject(refusal)
          } else {
            await createAll(registry.metadata, connection)
          }
        }
        expect(await tableExists(name)).toBe(!sqliteTarget)
        if (sqliteTarget) return
        await using session = new AsyncSession(engine)
        const row = new Row({ id: 1 } as never)
        session.add(row)
        await session.commit()
        expect([row.amount, row.scaled]).toEqual([LONG, LONG])
        const read = (await session.execute(text(`SELECT amount, scaled FROM ${name}`))).one()
        expect(read).toEqual([LONG, LONG])
        await using connection = engine.connect()
        await connection.execute(text(`DROP TABLE ${name}`))
      },
    )

    it("a default SQLite holds (15 digits, a 64-bit integer) is stored exactly", async () => {
      const registry = new Registry()
      const name = `d8v_nd_${suffix}_held`
      class Held extends model(
        name,
        {
          id: column(Integer, { primaryKey: true }),
          fraction: column(Numeric(20, 5), { serverDefault: "1234567890.12345" }),
          whole: column(Numeric(), { serverDefault: "1234567890123456789" }),
        },
        { registry },
      ) {}
      {
        await using connection = engine.connect()
        await connection.execute(text(`DROP TABLE IF EXISTS ${name}`))
        await createAll(registry.metadata, connection)
      }
      await using session = new AsyncSession(engine)
      const row = new Held({ id: 1 } as never)
      session.add(row)
      await session.commit()
      await using reader = new AsyncSession(engine)
      const read = (await reader.scalars(select(Held))).one()
      for (const held of [row, read]) {
        expect([held.fraction, held.whole]).toEqual(["1234567890.12345", "1234567890123456789"])
      }
      await using connection = engine.connect()
      await connection.execute(text(`DROP TABLE ${name}`))
    })

    it(sqliteTarget ? "a revision refuses it and is not applied" : "a revision keeps it", async () => {
      const name = `d8v_nd_${suffix}_rev`
      const versions = `d8v_nd_${suffix}_versions`
      const revision = defineRevision({
        id: "d8v000000001",
        parent: null,
        message: "long numeric default",
        upgrade(op) {
          op.createTable(name, [
            { name: "id", type: Integer, primaryKey: true },
            { name: "amount", type: MigrateNumeric(), default: LONG },
          ])
        },
        downgrade(op) {
          op.dropTable(name)
        },
      })
      const migrator = new Migrator(engine, { revisions: [revision], versionTable: versions })
      if (sqliteTarget) {
        await expect(migrator.upgrade()).rejects.toMatchObject({
          message: expect.stringContaining(
            `serverDefault "${LONG}" is not a value the column holds on sqlite`,
          ),
        })
        expect(await tableExists(name)).toBe(false)
        expect(await migrator.current()).toEqual([])
        return
      }
      await migrator.upgrade()
      await using connection = engine.connect()
      await connection.execute(text(`INSERT INTO ${name} (id) VALUES (1)`))
      expect((await connection.execute(text(`SELECT amount FROM ${name}`))).scalar()).toBe(LONG)
      await migrator.downgrade("base")
    })
  })
}
