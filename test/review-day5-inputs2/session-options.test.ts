// AsyncSession's options, begin()'s and commit()'s, from JavaScript callers, JSON or casts. Before, a
// key the session did not know was ignored: `{ autoFlush: false }` left autoflush on (a query flushed
// the pending object), `{ expire_on_commit: true }` expired nothing, `begin({ isolation_level })` opened
// a transaction at the default level, `commit({ reed: query })` committed and answered no rows; a bad
// value was taken (`isolationLevel: "serializable-ish"` on libSQL) or failed later. dbSession()'s
// `session` option, handed to each request's AsyncSession, is checked when the app is set up.
import { Hono } from "hono"
import { describe, expect, it } from "vitest"
import ws from "ws"
import { dbSession, type SessionVariables } from "../../src/hono.ts"
import {
  AsyncSession,
  column,
  Integer,
  InvalidRequestError,
  inspect,
  model,
  Registry,
  String,
  select,
  sessionmaker,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Item extends model(
  "r5j_opt_items",
  { id: column(Integer, { primaryKey: true }), label: column(String(40)) },
  { registry },
) {}
registry.registerModels(Item)

const cast = (value: unknown) => value as never
type Env = { Variables: SessionVariables }

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`session options on ${fixture.name}`, () => {
    const scope = `r5j-opts-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)
    const sent = async () => (await fixture.stats(scope))?.statements ?? Number.NaN
    const labels = async () => {
      await using reading = new AsyncSession(engine)
      return (await reading.scalars(select(Item).orderBy(Item.id))).all().map((item) => item.label)
    }

    it.each([
      [
        "autoFlush",
        { autoFlush: false },
        /^AsyncSession: unknown option "autoFlush" \(did you mean autoflush\?\); it takes expireOnCommit, autoflush$/,
      ],
      [
        "expire_on_commit",
        { expire_on_commit: true },
        /unknown option "expire_on_commit" \(did you mean expireOnCommit\?\)/,
      ],
      ["autoflush as text", { autoflush: "no" }, /^AsyncSession: autoflush is true or false, got "no"$/],
      ["expireOnCommit as a number", { expireOnCommit: 1 }, /expireOnCommit is true or false, got 1/],
      ["null", null, /^AsyncSession: options are an object, got null$/],
      ["a string", "autoflush", /options are an object, got "autoflush"/],
    ] as const)("new AsyncSession() refuses %s", (_, options, message) => {
      expect(() => new AsyncSession(engine, cast(options))).toThrow(InvalidRequestError)
      expect(() => new AsyncSession(engine, cast(options))).toThrow(message)
    })

    it("sessionmaker() refuses them when it is made", () => {
      expect(() => sessionmaker(engine, cast({ autoFlush: false }))).toThrow(
        /^sessionmaker\(\): unknown option "autoFlush" \(did you mean autoflush\?\)/,
      )
    })

    it("autoflush: false, spelt right, is honoured", async () => {
      await using session = new AsyncSession(engine, { autoflush: false })
      session.add(new Item({ id: 900, label: "pending" }))
      expect((await session.scalars(select(Item).where(Item.id.eq(900)))).all()).toEqual([])
      await session.rollback()
    })

    it.each([
      [
        "isolation_level",
        { isolation_level: "serializable" },
        /^begin\(\): unknown option "isolation_level" \(did you mean isolationLevel\?\); it takes readOnly, deferrable, isolationLevel$/,
      ],
      ["read_only", { read_only: true }, /unknown option "read_only" \(did you mean readOnly\?\)/],
      [
        "an unknown level",
        { isolationLevel: "serializable-ish" },
        /^begin\(\): isolationLevel is one of "read uncommitted", "read committed", "repeatable read", "serializable", got "serializable-ish"$/,
      ],
      ["SQLAlchemy's spelling of a level", { isolationLevel: "SERIALIZABLE" }, /got "SERIALIZABLE"/],
      ["readOnly as text", { readOnly: "yes" }, /^begin\(\): readOnly is true or false, got "yes"$/],
      ["null", null, /^begin\(\): options are an object, got null$/],
    ] as const)("begin() refuses %s, before anything is sent", async (_, options, message) => {
      await using session = new AsyncSession(engine)
      const before = await sent()
      await expect(session.begin(cast(options))).rejects.toThrow(InvalidRequestError)
      await expect(session.begin(cast(options))).rejects.toThrow(message)
      expect(session.inTransaction()).toBe(false)
      expect(await sent()).toBe(before)
    })

    it("begin() with a known level and readOnly opens the transaction", async () => {
      await using session = new AsyncSession(engine)
      await session.begin({ isolationLevel: "serializable", readOnly: true })
      expect(session.inTransaction()).toBe(true)
      await session.rollback()
    })

    it.each([
      ["reed", () => ({ reed: select(Item) }), /^commit\(\): unknown option "reed"; it takes read$/],
      [
        "read as text",
        () => ({ read: "select * from items" }),
        /^commit\(\): read is a select\(\) whose rows the commit returns, got "select \* from items"$/,
      ],
      ["read: null", () => ({ read: null }), /read is a select\(\) .*got null/],
      ["a bare select", () => select(Item), /^commit\(\): unknown option "state"; it takes read$/],
    ] as const)("commit() refuses %s and writes nothing", async (_, options, message) => {
      await using session = new AsyncSession(engine)
      const item = new Item({ id: 901, label: "not yet" })
      session.add(item)
      const before = await sent()
      await expect(session.commit(cast(options()))).rejects.toThrow(InvalidRequestError)
      await expect(session.commit(cast(options()))).rejects.toThrow(message)
      expect(await sent()).toBe(before)
      expect(inspect(item).state).toBe("pending")
      expect(await labels()).not.toContain("not yet")
    })

    it("commit({ read }) still answers its rows", async () => {
      await using session = new AsyncSession(engine)
      session.add(new Item({ id: 902, label: "read back" }))
      const result = await session.commit({ read: select(Item.label).where(Item.id.eq(902)) })
      expect(result.all()).toEqual([["read back"]])
    })

    it("dbSession() refuses its session option's unknown keys when the app is set up", () => {
      const options = { engine: () => engine, session: cast({ autoFlush: false }) }
      expect(() => dbSession<Env>(options)).toThrow(InvalidRequestError)
      expect(() => dbSession<Env>(options)).toThrow(
        /^dbSession\(\): session: unknown option "autoFlush" \(did you mean autoflush\?\)/,
      )
      expect(() =>
        dbSession<Env>({ engine: () => engine, session: cast({ expireOnCommit: "yes" }) }),
      ).toThrow(/dbSession\(\): session: expireOnCommit is true or false, got "yes"/)
    })

    it("dbSession()'s session option reaches each request's session", async () => {
      const app = new Hono<Env>()
      app.use(dbSession<Env>({ engine: () => engine, serverTiming: false, session: { autoflush: false } }))
      app.get("/", async (c) => {
        c.var.session.add(new Item({ id: 903, label: "unflushed" }))
        const found = await c.var.session.scalars(select(Item).where(Item.id.eq(903)))
        return c.json(found.all().length)
      })
      expect(await (await app.request("/")).json()).toBe(0)
    })
  })
}
