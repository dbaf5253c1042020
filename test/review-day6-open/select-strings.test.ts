// SQL in a string (or another plain value) given as a select item or to a UNION's orderBy() failed with
// a TypeError deep in the compiler ("Cannot read properties of undefined (reading 'map')", "Cannot use
// 'in' operator to search for 'renderWith' in id"), where where()/orderBy()/groupBy() of a select
// refuse it with 6bee21c's InvalidRequestError naming the fix. Now these are refused so too, where they
// are given, before anything is sent. A model's `name` (its class name, a string: `select(Shelf.name)`
// for a column called name) is one way to meet it. SQLAlchemy refuses select("id") too
// (ArgumentError: "Textual column expression 'id' should be explicitly declared with text('id')").
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  InvalidRequestError,
  model,
  Registry,
  String,
  select,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Tag extends model(
  "r6o_ss_tags",
  { id: column(Integer, { primaryKey: true }), label: column(String(40)) },
  { registry },
) {}
registry.registerModels(Tag)

const EXPRESSION_HINT = /: build expressions from columns \(literalColumn\("\.\.\."\) for SQL\)/
const cast = (value: unknown) => value as never

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`plain values as select items and UNION orderings, on ${fixture.name}`, () => {
    const scope = `r6o-ss-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)
    const sent = async () => (await fixture.stats(scope))?.statements ?? Number.NaN

    it("seeds", async () => {
      await using session = new AsyncSession(engine)
      session.addAll([new Tag({ id: 1, label: "b" }), new Tag({ id: 2, label: "a" })])
      await session.commit()
    })

    it.each([
      ['select("id")', () => select(cast("id")), /^Cannot use "id"/],
      ['select(model, "id")', () => select(Tag, cast("id")), /^Cannot use "id"/],
      ["select(a model's name)", () => select(cast(Tag.name)), /^Cannot use "Tag"/],
      ["select(5)", () => select(cast(5)), /^Cannot use 5/],
      ["select(true)", () => select(cast(true)), /^Cannot use true/],
      [
        'a union\'s orderBy("id")',
        () => select(Tag.id).union(select(Tag.id)).orderBy(cast("id")),
        /^Cannot use "id"/,
      ],
      [
        "a union's orderBy(undefined)",
        () => select(Tag.id).unionAll(select(Tag.id)).orderBy(cast(undefined)),
        /^Cannot use undefined/,
      ],
      [
        'an except\'s orderBy(column, "label")',
        () => select(Tag.id).except(select(Tag.id)).orderBy(Tag.id, cast("label")),
        /^Cannot use "label"/,
      ],
    ] as const)("refuses %s with an InvalidRequestError naming the fix", async (_, build, message) => {
      const before = await sent()
      const attempt = async () => {
        await using session = new AsyncSession(engine)
        return session.execute(build())
      }
      await expect(attempt()).rejects.toThrow(InvalidRequestError)
      await expect(attempt()).rejects.toThrow(message)
      await expect(attempt()).rejects.toThrow(EXPRESSION_HINT)
      expect(await sent()).toBe(before)
    })

    it("still orders a union by its columns", async () => {
      await using session = new AsyncSession(engine)
      const union = select(Tag.label)
        .where(Tag.id.eq(1))
        .union(select(Tag.label).where(Tag.id.eq(2)))
      expect((await session.scalars(union.orderBy(Tag.label))).all()).toEqual(["a", "b"])
      expect((await session.scalars(union.orderBy(Tag.label.desc()))).all()).toEqual(["b", "a"])
    })
  })
}
