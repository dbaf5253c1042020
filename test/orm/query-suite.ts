// ORM querying beyond loading graphs, on every transport (test/node/orm-query.test.ts): hybrid
// properties, relationships loaded by default, bulk UPDATE/DELETE that keep the session in step,
// upserts mapped to objects, populateExisting and read-only results.
import { beforeEach, describe, expect, it, vi } from "vitest"
import {
  AsyncSession,
  aliased,
  DataError,
  deleteFrom,
  func,
  InvalidRequestError,
  insert,
  inspect,
  joinedload,
  literalColumn,
  NotLoadedError,
  raiseload,
  select,
  selectinload,
  update,
} from "../../src/index.ts"
import { Compiler } from "../../src/sql/compiler/compiler.ts"
import type { Stats, TransportFixture } from "../engine/transports.ts"
import { correlationSuite } from "./correlation-suite.ts"
import { freshSchema } from "./fresh-schema.ts"
import { Badge, Member, Order, registry } from "./query-models.ts"

export function querySuite(fixture: TransportFixture) {
  const scope = (name: string) => `query-${fixture.name}-${name}-${Date.now().toString(36)}`
  const requests = (before: Stats | undefined, after: Stats | undefined) =>
    before && after ? after.httpRequests - before.httpRequests : undefined
  /** One HTTP request on HTTP transports; Neon's websocket mode sends none (it rides the socket). */
  const oneRequest = fixture.name === "neon-websocket" ? 0 : 1

  describe(`ORM queries on ${fixture.name}`, () => {
    const engine = fixture.engine(scope("setup"))
    freshSchema(engine, registry.metadata)
    beforeEach(async () => {
      await using session = new AsyncSession(engine)
      await session.execute(deleteFrom(Order), { synchronizeSession: false })
      await session.execute(deleteFrom(Member), { synchronizeSession: false })
      const ada = new Member({ firstName: "Ada", lastName: "Lovelace", balance: 100, credit: 50 })
      const bob = new Member({ firstName: "Bob", lastName: "Hope", balance: -80, credit: 20 })
      const cy = new Member({ firstName: "Cy", lastName: "Young", balance: 5 })
      ada.orders.push(new Order({ total: 30 }), new Order({ total: 12 }))
      bob.orders.push(new Order({ total: 7 }))
      session.addAll([ada, bob, cy, new Order({ total: 1 })])
      await session.commit()
    })

    it("computes hybrid properties on instances from their one SQL definition", () => {
      const member = new Member({ firstName: "Grace", lastName: "Hopper", balance: -10, credit: 15 })
      expect(member.fullName).toBe("Grace Hopper")
      expect(member.available).toBe(5)
      expect(member.overdrawn).toBe(false)
      member.balance = -40
      expect(member.available).toBe(-25)
      expect(member.overdrawn).toBe(true)
      expect(Object.keys(member.toJSON())).not.toContain("fullName")
      // A getter in the class body replaces the instance side; without one, a hybrid memory cannot
      // compute says how to give it one.
      const badge = new Badge({ label: "gold" })
      expect([badge.shout, badge.initial]).toEqual(["GOLD", "g"])
      expect(() => badge.tail).toThrow(/Badge\.tail cannot be computed in memory .*get tail\(\)/)
    })

    it("uses hybrids memory cannot compute in SQL, where they are computed by the database", async () => {
      await using session = new AsyncSession(engine)
      session.add(new Badge({ label: "silver" }))
      await session.flush()
      const [row] = (await session.execute(select(Badge.shout, Badge.initial, Badge.tail))).all()
      expect(row && [...row]).toEqual(["SILVER", "s", "ilver"])
      expect(await session.scalar(select(Badge).where(Badge.initial.eq("s")))).toBeInstanceOf(Badge)
      await session.rollback()
    })

    it("uses hybrid properties in where, orderBy and select", async () => {
      await using session = new AsyncSession(engine)
      const found = await session.scalar(select(Member).where(Member.fullName.eq("Ada Lovelace")))
      expect(found?.firstName).toBe("Ada")
      const rows = await session.execute(
        select(Member.fullName, Member.available).orderBy(Member.available.desc()),
      )
      expect(rows.all().map((row) => [...row])).toEqual([
        ["Ada Lovelace", 150],
        ["Cy Young", 5],
        ["Bob Hope", -60],
      ])
      const overdrawn = await session.scalars(select(Member).where(Member.overdrawn))
      expect(overdrawn.all().map((m) => m.firstName)).toEqual(["Bob"])
      // The same objects agree with the database about their hybrids.
      for (const member of (await session.scalars(select(Member))).all()) {
        const [sqlName] = (
          await session.execute(select(Member.fullName).where(Member.id.eq(member.id)))
        ).one()
        expect(member.fullName).toBe(sqlName)
      }
    })

    it("keeps a hybrid's own grouping inside a larger expression, and orders an entity query by its SQL", async () => {
      await using session = new AsyncSession(engine)
      // (balance = 0 OR credit = 0) AND first_name = 'Ada': Cy is idle, but not Ada.
      const deleted = await session.execute(deleteFrom(Member).where(Member.idle, Member.firstName.eq("Ada")))
      expect(deleted.rowsAffected).toBe(0)
      const doubled = await session.scalars(select(Member.firstName).where(Member.available.mul(2).gt(250)))
      expect(doubled.all()).toEqual(["Ada"]) // (100 + 50) * 2; 100 + 50 * 2 is 200
      const ordered = await session.scalars(select(Member).orderBy(Member.available.desc()))
      expect(ordered.all().map((m) => m.firstName)).toEqual(["Ada", "Cy", "Bob"])
      const solvent = await session.scalars(select(Member.firstName).where(Member.overdrawn.eq(false)))
      expect(solvent.all().sort()).toEqual(["Ada", "Cy"])
      await session.execute(
        update(Member)
          .where(Member.firstName.eq("Ada"))
          .values({ credit: Member.available.mul(2) }),
      )
      const ada = await session.scalar(select(Member).where(Member.firstName.eq("Ada")))
      expect(ada?.credit).toBe(300)
      await session.rollback()
    })

    it("loads lazy: 'selectin' relationships with every query, in its one request, unless raiseload says not to", async () => {
      const name = scope("lazy")
      await using session = new AsyncSession(fixture.engine(name))
      const before = await fixture.stats(name)
      const members = (await session.scalars(select(Member).orderBy(Member.id))).all()
      expect(requests(before, await fixture.stats(name))).toBe(before ? oneRequest : undefined)
      expect(members.map((m) => m.orders.map((o) => o.total).sort((a, b) => a - b))).toEqual([
        [12, 30],
        [7],
        [],
      ])
      // The many-to-one side is filled from the loaded collection: no query, and no default loop.
      expect(members[0]?.orders[0]?.member).toBe(members[0])
      // Loaded, unchanged relationships are not changes: the next query is one plain request, no flush.
      // Order.member is lazy: "joined": it comes joined into that one statement.
      const statementsBefore = (await fixture.stats(name))?.statements
      const orders = (await session.scalars(select(Order).orderBy(Order.total))).all()
      const after = await fixture.stats(name)
      expect(requests(before, after)).toBe(before ? 2 * oneRequest : undefined)
      if (after && statementsBefore !== undefined) expect(after.statements - statementsBefore).toBe(1)
      expect(orders.map((o) => o.member?.firstName ?? null)).toEqual([null, "Bob", "Ada", "Ada"])
      expect(orders[2]?.member).toBe(members[0])
      if (fixture.name === "neon-http") expect(after?.wsConnections).toBe(0)

      await using other = new AsyncSession(engine)
      const [plain] = (await other.scalars(select(Member).options(raiseload(Member.orders)).limit(1))).all()
      expect(() => plain?.orders).toThrow(NotLoadedError)
      expect(() => plain?.orders).toThrow(/selectinload\(Member\.orders\)/)
    })

    it("loads the lazy: 'selectin' relationships of a query's second entity too, onto its own objects", async () => {
      const name = scope("lazy-second")
      await using session = new AsyncSession(fixture.engine(name))
      const before = await fixture.stats(name)
      const rows = (
        await session.execute(select(Order, Member).join(Order.member).orderBy(Order.total))
      ).all()
      expect(requests(before, await fixture.stats(name))).toBe(before ? oneRequest : undefined)
      expect(rows.map(([order, member]) => [order.total, member.orders.map((o) => o.total).sort()])).toEqual([
        [7, [7]],
        [12, [12, 30]],
        [30, [12, 30]],
      ])
      // One object per row: the orders the members' collections hold are the query's own.
      const [, second, third] = rows
      expect(second?.[1].orders).toContain(second?.[0])
      expect(third?.[1]).toBe(second?.[1])
    })

    it("joins a many-to-one into the query's one statement with joinedload, through the identity map", async () => {
      const name = scope("joined")
      await using session = new AsyncSession(fixture.engine(name))
      const ada = await session.scalar(
        select(Member).where(Member.firstName.eq("Ada")).options(raiseload(Member.orders)),
      )
      const before = await fixture.stats(name)
      const orders = (
        await session.scalars(select(Order).options(joinedload(Order.member)).orderBy(Order.total).limit(3))
      ).all()
      const after = await fixture.stats(name)
      if (before && after) expect(after.statements - before.statements).toBe(1)
      expect(requests(before, after)).toBe(before ? oneRequest : undefined)
      expect(orders.map((o) => [o.total, o.member?.firstName ?? null])).toEqual([
        [1, null],
        [7, "Bob"],
        [12, "Ada"],
      ])
      expect(orders[2]?.member).toBe(ada)
      // A joinedload under a selectinload joins into that level's statement; a collection falls back
      // to a batched level. Either way, one round trip.
      await using other = new AsyncSession(fixture.engine(name))
      const again = await fixture.stats(name)
      const members = (
        await other.scalars(
          select(Member)
            .orderBy(Member.id)
            .options(joinedload(Member.orders), selectinload(Member.orders).joinedload(Order.member)),
        )
      ).all()
      const done = await fixture.stats(name)
      if (again && done && fixture.name !== "neon-websocket")
        expect(done.httpRequests - again.httpRequests).toBe(1)
      expect(members.map((m) => m.orders.length)).toEqual([2, 1, 0])
      expect(members[1]?.orders[0]?.member).toBe(members[1])
    })

    it("selects a model twice through aliased(), both as session objects", async () => {
      await using session = new AsyncSession(engine)
      const ada = await session.scalar(
        select(Member).where(Member.firstName.eq("Ada")).options(raiseload(Member.orders)),
      )
      const buyer = aliased(Member, "buyer")
      const rows = await session.execute(
        select(Order, buyer)
          .join(buyer, Order.memberId.eq(buyer.id))
          .where(buyer.firstName.eq("Ada"))
          .orderBy(Order.total)
          .options(raiseload(Member.orders)),
      )
      const pairs = rows.all()
      expect(pairs.map(([order]) => order.total)).toEqual([12, 30])
      expect(pairs.map(([, member]) => member)).toEqual([ada, ada])
      expect(pairs[0]?.[1]).toBe(ada)
    })

    it("maps a model over a subquery of it, joined and selected like the model", async () => {
      await using session = new AsyncSession(engine)
      const solvent = aliased(Member, select(Member).where(Member.balance.ge(0)).subquery("solvent"))
      const rows = await session.execute(
        select(Order.total, solvent)
          .join(solvent, Order.memberId.eq(solvent.id))
          .orderBy(Order.total)
          .options(raiseload(Member.orders)),
      )
      expect(rows.all().map(([total, member]) => [total, member.firstName])).toEqual([
        [12, "Ada"],
        [30, "Ada"],
      ])
      const members = rows.all().map(([, member]) => member)
      expect(members[0]).toBe(members[1])
      expect(() => aliased(Member, select(Member.id).subquery("ids"))).toThrow(/has no column firstName/)
    })

    it("synchronizes objects with a bulk UPDATE by evaluating it in memory, in one request", async () => {
      await using session = new AsyncSession(engine)
      const members = (await session.scalars(select(Member).orderBy(Member.id))).all()
      const name = scope("bulk-evaluate")
      await using counted = new AsyncSession(fixture.engine(name))
      const loaded = (await counted.scalars(select(Member).orderBy(Member.id))).all()
      const before = await fixture.stats(name)
      const result = await counted.execute(
        update(Member)
          .where(Member.balance.lt(50))
          .values({ balance: Member.balance.add(1000) }),
        { synchronizeSession: "evaluate" },
      )
      expect(requests(before, await fixture.stats(name))).toBe(before ? oneRequest : undefined)
      expect(result.rowsAffected).toBe(2)
      expect(loaded.map((m) => m.balance)).toEqual([100, 920, 1005])
      expect(loaded.map((m) => counted.isModified(m))).toEqual([false, false, false])
      await counted.commit()
      // Another session, reading the database, sees the same values.
      const fresh = await session.scalars(select(Member.balance).orderBy(Member.id))
      expect(fresh.all()).toEqual([100, 920, 1005])
      expect(members).toHaveLength(3)
    })

    it("synchronizes objects with RETURNING when asked to fetch, or when the WHERE cannot be evaluated", async () => {
      await using session = new AsyncSession(engine)
      const loaded = (await session.scalars(select(Member).orderBy(Member.id))).all()
      await session.execute(update(Member).where(Member.lastName.like("%o%")).values({ credit: 7 }), {
        synchronizeSession: "fetch",
      })
      expect(loaded.map((m) => m.credit)).toEqual([7, 7, 7])
      // LIKE has no faithful in-memory meaning (collations): "auto" falls back to fetching.
      await session.execute(update(Member).where(Member.firstName.like("B%")).values({ nickname: "bobby" }))
      expect(loaded.map((m) => m.nickname)).toEqual([null, "bobby", null])
      expect(loaded.some((m) => session.isModified(m))).toBe(false)
      await expect(
        session.execute(update(Member).where(Member.firstName.like("C%")).values({ nickname: "cy" }), {
          synchronizeSession: "evaluate",
        }),
      ).rejects.toThrow(InvalidRequestError)
      const nicknames = await session.scalars(select(Member.nickname).orderBy(Member.id))
      expect(nicknames.all()).toEqual([null, "bobby", null])
    })

    it("asks the database, not memory, what a bulk UPDATE matched when memory cannot know it", async () => {
      await using session = new AsyncSession(engine)
      const loaded = (await session.scalars(select(Member).orderBy(Member.id))).all()
      // Code-point order, where JavaScript's string order (UTF-16 units) differs; PostgreSQL's own
      // collation may differ again: text order is the database's.
      const [ada, bob] = loaded as [Member, Member]
      ada.lastName = "\u{1F600}"
      bob.lastName = "\uFF3A"
      await session.flush()
      await session.execute(update(Member).where(Member.lastName.lt("\uFF3A")).values({ nickname: "before" }))
      const stored = await session.execute(select(Member.id, Member.nickname).orderBy(Member.id))
      expect(loaded.map((m) => [m.id, m.nickname])).toEqual(stored.all().map((row) => [...row]))
      await session.rollback()
      // A reference does not know its other columns: they are not taken for NULL.
      await using other = new AsyncSession(engine)
      const reference = other.reference(Member, { id: ada.id })
      await other.execute(update(Member).where(Member.firstName.eq("Ada")).values({ nickname: "A" }))
      expect(reference.nickname).toBe("A")
      expect(() => reference.available).toThrow(NotLoadedError)
      expect(() => reference.available).toThrow("Member.available needs Member.balance")
    })

    it("detaches the objects a bulk DELETE removes, by evaluation and by fetch", async () => {
      await using session = new AsyncSession(engine)
      const [ada, bob, cy] = (await session.scalars(select(Member).orderBy(Member.id))).all()
      await session.execute(deleteFrom(Member).where(Member.balance.lt(0)))
      expect(inspect(bob as Member).state).toBe("detached")
      expect(inspect(ada as Member).state).toBe("persistent")
      await session.execute(deleteFrom(Member).where(Member.firstName.like("C%")), {
        synchronizeSession: "fetch",
      })
      expect(inspect(cy as Member).state).toBe("detached")
      expect(await session.get(Member, (cy as Member).id)).toBeNull()
      expect(await session.scalar(select(func.count()).selectFrom(Member))).toBe(1)
    })

    it("maps the rows of an upsert onto the session's objects", async () => {
      await using session = new AsyncSession(engine)
      const ada = await session.scalar(select(Member).where(Member.firstName.eq("Ada")))
      const upsert = insert(Member)
        .values([
          { id: (ada as Member).id, firstName: "Ada", lastName: "King", balance: 1 },
          { id: 9001, firstName: "Dee", lastName: "Dee", balance: 2 },
        ])
        .onConflictDoUpdate({ target: ["id"], set: (excluded) => ({ lastName: excluded.lastName }) })
        .returning(Member)
      const returned = (await session.scalars(upsert)).all()
      expect(returned[0]).toBe(ada)
      expect(ada?.lastName).toBe("King")
      expect(ada?.balance).toBe(100)
      expect(session.isModified(ada as Member)).toBe(false)
      expect(inspect(returned[1] as Member).state).toBe("persistent")
      expect(await session.get(Member, 9001)).toBe(returned[1])
    })

    it("keeps unflushed changes over query rows unless populateExisting asks otherwise", async () => {
      await using session = new AsyncSession(engine, { autoflush: false })
      const ada = await session.scalar(select(Member).where(Member.firstName.eq("Ada")))
      ;(ada as Member).balance = 1
      await session.execute(
        update(Member)
          .where(Member.id.eq((ada as Member).id))
          .values({ credit: 99 }),
        {
          synchronizeSession: false,
        },
      )
      const again = await session.scalar(select(Member).where(Member.id.eq((ada as Member).id)))
      expect(again).toBe(ada)
      expect([ada?.balance, ada?.credit]).toEqual([1, 50])
      await session.scalar(select(Member).where(Member.id.eq((ada as Member).id)), { populateExisting: true })
      expect([ada?.balance, ada?.credit]).toEqual([100, 99])
      expect(session.isModified(ada as Member)).toBe(false)
    })

    it("compiles session.get's statement once per model: a repeat get compiles nothing and binds its own key", async () => {
      const compiled = vi.spyOn(Compiler.prototype, "template")
      try {
        await using warm = new AsyncSession(engine)
        const [ada, bob] = (await warm.scalars(select(Member).orderBy(Member.id).limit(2))).all()
        await using first = new AsyncSession(engine)
        expect((await first.get(Member, ada?.id))?.firstName).toBe("Ada")
        // Other statements in between, an alias of the same table among them, change nothing.
        const buyer = aliased(Member, "buyer")
        await first.execute(select(Order.total, buyer.firstName).join(buyer, Order.memberId.eq(buyer.id)))
        compiled.mockClear()
        await using second = new AsyncSession(engine)
        const got = await second.get(Member, bob?.id)
        expect(compiled).not.toHaveBeenCalled()
        expect([got?.firstName, got?.orders.map((o) => o.total)]).toEqual(["Bob", [7]])
        expect(await second.get(Member, -1)).toBeNull()
        // Another model has a statement of its own; values are still checked on every run.
        const order = await second.get(Order, got?.orders[0]?.id)
        expect([order?.total, order?.member]).toEqual([7, got])
        await expect(second.get(Member, "1; drop table q_members")).rejects.toThrow(DataError)
      } finally {
        compiled.mockRestore()
      }
    })

    it("compiles the SQL of a query's loads once per shape: the same query again compiles only itself", async () => {
      const compiled = vi.spyOn(Compiler.prototype, "template")
      try {
        const page = (first: number) =>
          select(Member)
            .where(Member.id.ge(first))
            .orderBy(Member.lastName)
            .limit(2)
            .options(selectinload(Member.orders).joinedload(Order.member))
        await using session = new AsyncSession(engine)
        await session.scalars(page(0))
        compiled.mockClear()
        const again = (await session.scalars(page(1))).all()
        expect(compiled).toHaveBeenCalledTimes(1)
        expect(again.map((m) => [m.firstName, m.orders.map((o) => o.member === m)])).toEqual([
          ["Bob", [true]],
          ["Ada", [true, true]],
        ])
      } finally {
        compiled.mockRestore()
      }
    })

    it("loads in one statement whatever the query selects or orders by, with the plain query's rows", async () => {
      const name = scope("json-shapes")
      await using session = new AsyncSession(fixture.engine(name))
      const ids = (row: readonly unknown[]) => row.map((v) => (v instanceof Member ? `member ${v.id}` : v))
      const fullName = Member.fullName
      const shapes = [
        // Its rows travel in the statement: ordered by an expression it does not select, by a label it
        // does (the same types in the same places: a statement of another shape all the same).
        { query: select(Member).orderBy(Member.firstName.concat(Member.lastName).desc()), statements: 1 },
        { query: select(Member, fullName).orderBy(fullName.desc()), statements: 1 },
        { query: select(Member).orderBy(func.lower(Member.lastName).desc()), statements: 1 },
        {
          query: select(Member).where(Member.balance.gt(0)).orderBy(Member.id).limit(1).offset(1),
          statements: 1,
        },
        // Beside the statement of its loads: DISTINCT, and a value of no known type.
        { query: select(Member).distinct().orderBy(Member.id), statements: undefined },
        { query: select(Member, literalColumn("7")).orderBy(Member.id), statements: undefined },
      ]
      for (const { query, statements } of shapes) {
        await using plain = new AsyncSession(engine)
        const expected = await plain.execute(query.options(raiseload(Member.orders)))
        const before = await fixture.stats(name)
        const result = await session.execute(query)
        const after = await fixture.stats(name)
        expect(requests(before, after)).toBe(before ? oneRequest : undefined)
        if (before && after && statements) expect(after.statements - before.statements).toBe(statements)
        expect(result.columns).toEqual(expected.columns)
        expect(result.all().map(ids)).toEqual(expected.all().map(ids))
        const members = result.all().map((row) => row[0] as Member)
        expect(members.map((m) => m.orders.length)).toEqual(
          members.map((m) => ({ Ada: 2, Bob: 1, Cy: 0 })[m.firstName]),
        )
      }
    })

    it("reads large results without tracking them: readOnly objects are detached and not in the identity map", async () => {
      await using session = new AsyncSession(engine)
      const tracked = (await session.scalars(select(Member).orderBy(Member.id))).all()
      const readOnly = (await session.scalars(select(Member).orderBy(Member.id), { readOnly: true })).all()
      expect(readOnly.map((m) => m.fullName)).toEqual(tracked.map((m) => m.fullName))
      expect(readOnly[0]).not.toBe(tracked[0])
      expect(readOnly.map((m) => inspect(m).state)).toEqual(["detached", "detached", "detached"])
      // Their default-loaded orders are there too, and point back at the read-only parents.
      expect(readOnly[0]?.orders[0]?.member).toBe(readOnly[0])
    })
    correlationSuite(fixture)
  })
}
