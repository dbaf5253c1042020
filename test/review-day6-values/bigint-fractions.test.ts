// A BigInteger reads a bigint, which holds no fraction. SQLite's INTEGER column keeps a REAL it cannot
// make an integer (`values({ big: Counter.big.mul(literalColumn("1.5")) })` stores 4.5), and the codec
// cut it (BigInt(Math.trunc(...))): 4.5 read 4n and 5.7 read 5n, silently, where the row holds 5.7 (and
// PostgreSQL's assignment rounds it to 6); an overflow past 2^63 (a REAL) read 9223372036854775808n
// through get() and 9223372036854780000n through a load; text there ('abc') was a RangeError; on
// PostgreSQL a BigInteger mapped onto a NUMERIC or DOUBLE PRECISION column holding 4.5 was a SyntaxError
// or a RangeError. Now each is a DataError naming the value, on every read path, as an Integer's
// unreadable values are.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  BigInteger,
  column,
  Integer,
  joinedload,
  literalColumn,
  model,
  Registry,
  relationship,
  select,
  selectinload,
  text,
  update,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"

const registry = new Registry()
class Ledger extends model(
  "d6v_ledgers",
  {
    id: column(Integer, { primaryKey: true }),
    counters: relationship<Counter[]>("Counter", { backPopulates: "ledger" }),
  },
  { registry },
) {}
class Counter extends model(
  "d6v_counters",
  {
    id: column(Integer, { primaryKey: true }),
    ledgerId: column(Integer, { foreignKey: "d6v_ledgers.id" }),
    ledger: relationship<Ledger>("Ledger", { backPopulates: "counters" }),
    big: column(BigInteger, { nullable: true }),
  },
  { registry },
) {}
registry.registerModels(Ledger, Counter)

const reads: Record<string, (session: AsyncSession, id: number) => Promise<unknown>> = {
  "get()": async (session, id) => (await session.get(Counter, id))?.big,
  "a column select": async (session, id) =>
    (await session.execute(select(Counter.big).where(Counter.id.eq(id)))).scalar(),
  selectinload: async (session, id) =>
    (
      await session.scalars(select(Ledger).where(Ledger.id.eq(id)).options(selectinload(Ledger.counters)))
    ).one().counters[0]?.big,
  joinedload: async (session, id) =>
    (await session.scalars(select(Ledger).where(Ledger.id.eq(id)).options(joinedload(Ledger.counters))))
      .unique()
      .one().counters[0]?.big,
}

const fixtures = [
  neonFixture("http", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("d6v-bigint"), "bigint.db")),
]
for (const fixture of fixtures) {
  describe(`BigInteger reads of values that are no 64-bit integer on ${fixture.name}`, () => {
    const engine = fixture.engine(`d6v-bigint-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    const sqlite = fixture.dialect === "sqlite"
    let nextId = 1

    /** A counter whose `big` is `sql` (on PostgreSQL in a column of type `columnType`). */
    async function written(sql: string, columnType = "BIGINT"): Promise<number> {
      const id = nextId++
      await using connection = engine.connect()
      if (!sqlite) {
        await connection.execute(text(`ALTER TABLE d6v_counters ALTER COLUMN big TYPE ${columnType}`))
      }
      await connection.execute(text(`INSERT INTO d6v_ledgers (id) VALUES (${id})`))
      await connection.execute(
        text(`INSERT INTO d6v_counters (id, "ledgerId", big) VALUES (${id}, ${id}, ${sql})`),
      )
      return id
    }

    /** What each read path gives: the value, "refused" for the DataError of a bigint, or the error. */
    async function readsEverywhere(id: number): Promise<unknown[]> {
      const values: unknown[] = []
      for (const read of Object.values(reads)) {
        await using session = new AsyncSession(engine)
        values.push(
          await read(session, id).catch((error: Error) =>
            error.name === "DataError" && error.message.startsWith("A bigint value cannot hold")
              ? "refused"
              : `${error.name}: ${error.message}`,
          ),
        )
      }
      return values
    }
    const refused = Object.keys(reads).map(() => "refused")

    if (sqlite) {
      it("a fraction an UPDATE computed (3 x 1.9) is a DataError, not 5n", async () => {
        const id = await written("3")
        await using session = new AsyncSession(engine)
        await session.execute(
          update(Counter)
            .where(Counter.id.eq(id))
            .values({ big: Counter.big.mul(literalColumn<bigint>("1.9")) }),
          {
            synchronizeSession: false,
          },
        )
        expect(await readsEverywhere(id)).toEqual(refused)
      })
      it("an overflow past 2^63 (a REAL) is a DataError on every path, not a rounded bigint", async () => {
        expect(await readsEverywhere(await written("9223372036854775807 + 1"))).toEqual(refused)
      })
      it("text that is no integer is a DataError, not a RangeError", async () => {
        expect(await readsEverywhere(await written("'abc'"))).toEqual(refused)
      })
    } else {
      it("a NUMERIC column's 4.5 is a DataError, not a SyntaxError", async () => {
        expect(await readsEverywhere(await written("4.5", "NUMERIC"))).toEqual(refused)
      })
      it("a DOUBLE PRECISION column's 4.5 is a DataError, not a RangeError", async () => {
        expect(await readsEverywhere(await written("4.5", "DOUBLE PRECISION"))).toEqual(refused)
      })
    }
    it("the 64-bit ends and a whole REAL read exactly", async () => {
      for (const [sql, expected] of [
        ["9223372036854775807", 9223372036854775807n],
        ["-9223372036854775808", -9223372036854775808n],
        ["1e18", 1000000000000000000n],
      ] as const) {
        expect(await readsEverywhere(await written(sql, "NUMERIC"))).toEqual([
          expected,
          expected,
          expected,
          expected,
        ])
      }
    })
  })
}
