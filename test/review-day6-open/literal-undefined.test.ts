// literal(undefined) (a missing request field given to literal(), or a value spread from an object that
// lacks it) was bound as NULL: the query ran, compared with NULL and silently matched nothing, and an
// INSERT or UPDATE wrote NULL. The comparison operators refuse undefined since 6bee21c; literal() now
// does too, with the same InvalidRequestError saying that SQL's NULL is null, before anything is sent.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  InvalidRequestError,
  literal,
  model,
  Registry,
  String,
  select,
  update,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Pad extends model(
  "r6o_lit_pads",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(40), { nullable: true }),
  },
  { registry },
) {}
registry.registerModels(Pad)

const NULL_HINT = /^Cannot use undefined: .*null for NULL/
const missing = undefined as never

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`literal(undefined) on ${fixture.name}`, () => {
    const scope = `r6o-lit-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)
    const sent = async () => (await fixture.stats(scope))?.statements ?? Number.NaN

    const seed = async () => {
      await using session = new AsyncSession(engine)
      const pad = new Pad({ label: "a" })
      session.add(pad)
      await session.commit()
      return pad
    }

    it.each([
      ["compared in where()", () => select(Pad).where(Pad.label.eq(literal(missing)))],
      ["selected", () => select(literal(missing))],
      ["given a type", () => select(Pad).where(Pad.label.eq(literal(missing, String(40))))],
      [
        "written by update()",
        () =>
          update(Pad)
            .where(Pad.id.gt(0))
            .values({ label: literal(missing) }),
      ],
    ] as const)("is refused %s, naming null, before anything is sent", async (_, build) => {
      const pad = await seed()
      const before = await sent()
      const attempt = async () => {
        await using session = new AsyncSession(engine)
        return session.execute(build())
      }
      await expect(attempt()).rejects.toThrow(InvalidRequestError)
      await expect(attempt()).rejects.toThrow(NULL_HINT)
      expect(await sent()).toBe(before)
      await using session = new AsyncSession(engine)
      expect(await session.scalar(select(Pad.label).where(Pad.id.eq(pad.id)))).toBe("a")
    })

    it("still binds null as NULL and a value as itself", async () => {
      const pad = await seed()
      await using session = new AsyncSession(engine)
      expect(await session.scalar(select(literal(7)))).toBe(7)
      expect(await session.scalar(select(Pad.id).where(Pad.id.eq(pad.id), Pad.label.eq(literal("a"))))).toBe(
        pad.id,
      )
      await session.execute(
        update(Pad)
          .where(Pad.id.eq(pad.id))
          .values({ label: literal(null) }),
      )
      await session.commit()
      expect(await session.scalar(select(Pad.label).where(Pad.id.eq(pad.id)))).toBeNull()
    })
  })
}
