// A Numeric(p, s) set from an expression (a bulk update's `price * 1.1`, `balance - amount`, an
// upsert's `excluded` value): PostgreSQL computes exactly and rounds to the column's scale as it stores
// the value. SQLite computes a NUMERIC in doubles and stored their error: 10.00 * 1.1 stored
// 11.000000000000002 and 1.00 - 0.70 stored 0.30000000000000004. Both read back "11.00" and "0.30"
// (the codec reads SQLite's 15 digits at the column's scale), but the row held another number than it
// read as: eq("11.00") found no row, le("0.30") said no to a balance that read 0.30, and sum() added the
// error up, where PostgreSQL found the row. Now SQLite rounds a REAL an expression computes for a
// Numeric(p, s) to its scale as PostgreSQL does (an integer stays exact, text as it is); values bound
// from JavaScript were already stored exactly. A Numeric without precision is left to SQLite's doubles
// (PostgreSQL does not round it either): README, "computes NUMERIC in doubles".
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  type Expression,
  func,
  Integer,
  insert,
  literalColumn,
  model,
  Numeric,
  Registry,
  select,
  text,
  update,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"

const registry = new Registry()
class Account extends model(
  "d8v_ncs_accounts",
  {
    id: column(Integer, { primaryKey: true }),
    balance: column(Numeric(30, 2)),
    units: column(Numeric(10), { nullable: true }),
  },
  { registry },
) {}
registry.registerModels(Account)
/** Numeric arithmetic is typed for numbers; the values stay decimal text, bound as the column's. */
const balance = Account.balance as unknown as Expression<number>

const fixtures = [
  neonFixture("http", ws),
  neonFixture("websocket", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("d8v-ncs"), "ncs.db")),
]
for (const fixture of fixtures) {
  describe(`a Numeric(30, 2) computed by the database on ${fixture.name}`, () => {
    const engine = fixture.engine(`d8v-ncs-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    async function ids(session: AsyncSession, condition: Expression<boolean>) {
      return (await session.execute(select(Account.id).where(condition).orderBy(Account.id))).scalars().all()
    }

    it("is stored as it reads back, and found by the value it reads as", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(
        insert(Account).values([
          { id: 1, balance: "10.00" },
          { id: 2, balance: "1.00" },
          { id: 3, balance: "1234567890123456789" },
        ]),
      )
      await session.execute(
        update(Account)
          .where(Account.id.eq(1))
          .values({ balance: balance.mul("1.1" as never) as never }),
      )
      await session.execute(
        update(Account)
          .where(Account.id.eq(2))
          .values({ balance: balance.sub("0.70" as never) as never }),
      )
      // An integer an expression computes is kept exactly, past 2^53.
      await session.execute(
        update(Account)
          .where(Account.id.eq(3))
          .values({ balance: balance.add(balance) as never }),
      )
      await session.commit()

      expect((await session.execute(select(Account.balance).orderBy(Account.id))).scalars().all()).toEqual([
        "11.00",
        "0.30",
        "2469135780246913578.00",
      ])
      expect(await ids(session, Account.balance.eq("11.00"))).toEqual([1])
      expect(await ids(session, Account.balance.in(["0.30", "11.00"]))).toEqual([1, 2])
      expect(await ids(session, Account.balance.le("0.30"))).toEqual([2])
      expect(await ids(session, Account.balance.eq("2469135780246913578"))).toEqual([3])
      expect(
        (await session.execute(select(func.sum(Account.balance)).where(Account.id.in([1, 2])))).scalar(),
      ).toBe("11.30")
      // The sum the database computes is 11.30 exactly.
      const summed = select(func.sum(Account.balance))
        .where(Account.id.in([1, 2]))
        .having(func.sum(Account.balance).eq("11.30"))
      expect((await session.execute(summed)).scalars().all()).toEqual(["11.30"])
    })

    it("an upsert's value from excluded, and a computed fraction, are rounded to the scale", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(
        insert(Account)
          .values({ id: 2, balance: "5.25" })
          .onConflictDoUpdate({
            target: ["id"],
            set: (excluded) => ({
              balance: (excluded.balance as unknown as Expression<number>).mul("0.1" as never) as never,
            }),
          }),
      )
      await session.execute(
        update(Account)
          .where(Account.id.eq(1))
          .values({ balance: literalColumn<string>("2.0 / 3") }),
      )
      await session.commit()
      expect(
        (
          await session.execute(
            select(Account.balance)
              .where(Account.id.in([1, 2]))
              .orderBy(Account.id),
          )
        )
          .scalars()
          .all(),
      ).toEqual(["0.67", "0.53"])
      expect(await ids(session, Account.balance.in(["0.67", "0.53"]))).toEqual([1, 2])
    })

    it("a value written around edgealchemy with more decimals than the scale reads rounded to it", async () => {
      // SQLite keeps what raw SQL stores; PostgreSQL rounds it to the scale as it stores it.
      await using connection = engine.connect()
      await connection.execute(
        text("INSERT INTO d8v_ncs_accounts (id, balance, units) VALUES (4, 2.0 / 3, 2.5), (5, -0.001, 0.4)"),
      )
      await using session = new AsyncSession(engine)
      const rows = (
        await session.scalars(
          select(Account)
            .where(Account.id.in([4, 5]))
            .orderBy(Account.id),
        )
      ).all()
      expect(rows.map((row) => [row.balance, row.units])).toEqual([
        ["0.67", "3"],
        ["0.00", "0"],
      ])
      const column = await session.execute(select(Account.balance, Account.units).where(Account.id.eq(4)))
      expect(column.one()).toEqual(["0.67", "3"])
    })
  })
}
