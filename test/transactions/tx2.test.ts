// More transaction cases, on their own tables (tx_items2): the attack's second round.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  func,
  Integer,
  inspect,
  model,
  Registry,
  String,
  select,
  text,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Item extends model(
  "tx_items2",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(80), { unique: true }),
    n: column(Integer, { default: 0 }),
  },
  { registry },
) {}

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`tx2 on ${fixture.name}`, () => {
    const engine = fixture.engine(`tx2-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    let counter = 0
    const u = (name: string) => `${fixture.name}-${name}-${++counter}-${Date.now().toString(36)}`
    async function count(prefix: string): Promise<number> {
      await using conn = engine.connect()
      const r = await conn.execute(
        select(func.count())
          .selectFrom(Item)
          .where(Item.c.name.like(`${prefix}%`)),
      )
      return Number(r.scalar())
    }

    it("readOnly: a text WITH ... INSERT then commit() writes nothing", async () => {
      const p = u("ro-with-commit")
      const s = new AsyncSession(engine)
      await s.begin({ readOnly: true })
      await s
        .execute(text(`WITH v AS (SELECT 1 AS x) INSERT INTO tx_items2 (name, n) SELECT '${p}', x FROM v`))
        .catch(() => undefined)
      await s.commit().catch(() => undefined)
      await s.close()
      expect(await count(p)).toBe(0)
    })

    it("user text('BEGIN') on the session: a later commit is durable and inTransaction tells the truth", async () => {
      const p = u("begin-ws")
      const s = new AsyncSession(engine)
      // Refused before anything is sent.
      expect(() => text("BEGIN")).toThrow(/use session.begin\(\)/)
      const reported = s.inTransaction()
      s.add(new Item({ name: p }))
      await s.commit()
      await s.close()
      expect({ reported, rows: await count(p) }).toEqual({ reported: expect.anything(), rows: 1 })
    })

    it("flush inside a savepoint, released, then outer commit keeps it; outer rollback makes it transient", async () => {
      const p = u("sp-flush")
      const s = new AsyncSession(engine)
      await s.begin()
      const sp = await s.beginNested()
      const a = new Item({ name: `${p}-a` })
      s.add(a)
      await s.flush()
      await sp.commit()
      await s.commit()
      expect(await count(`${p}-a`)).toBe(1)
      await s.begin()
      const sp2 = await s.beginNested()
      const b = new Item({ name: `${p}-b` })
      s.add(b)
      await s.flush()
      await sp2.commit()
      await s.rollback()
      expect(inspect(b).state).toBe("transient")
      await s.close()
      expect(await count(`${p}-b`)).toBe(0)
    })

    if (fixture.dialect === "sqlite") {
      it("a refused FOR UPDATE leaves no write transaction that blocks other writers", async () => {
        const p = u("forupd-lock")
        const s = new AsyncSession(engine)
        await s.execute(select(Item).forUpdate()).catch(() => undefined)
        const held = s.inTransaction()
        await s.scalars(select(Item).where(Item.c.name.eq("nothing"))) // a read: the BEGIN travels with it
        const other = new AsyncSession(engine)
        other.add(new Item({ name: p }))
        const started = Date.now()
        const err = await other.commit().catch((e: unknown) => e)
        const waited = Date.now() - started
        await other.close()
        await s.close()
        console.log(
          "held",
          held,
          "waited",
          waited,
          "err",
          (err as Error)?.constructor?.name,
          (err as Error)?.message,
        )
        expect(err).toBeUndefined()
        expect(held).toBe(false)
      }, 20_000)
    }
  })
}
