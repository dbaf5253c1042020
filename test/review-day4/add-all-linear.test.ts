// session.addAll() checks the whole list before adding any (eed2c28: one that is refused adds none).
// That check walked, for each object given, everything it reaches through loaded save-update
// relationships, before any was attached: addAll([author, ...books]) with each book linked to the new
// author walked the author and all its books once per book, N times N. 4,000 books took 15 to 29 s of
// CPU (the add() loop before it: 9 ms), past any Worker's CPU limit. An object reached from one
// checked before it is checked with it: the walk is done once.
//
// The count is of reads of the author's `books` (each walk through the author reads it once), not a
// timing: deterministic.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  InvalidRequestError,
  inspect,
  model,
  Registry,
  relationship,
  String,
  select,
} from "../../src/index.ts"
import { stateOf } from "../../src/orm/state.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Writer extends model(
  "rv4_add_writers",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    books: relationship<Volume[]>("Volume", { backPopulates: "writer" }),
  },
  { registry },
) {}
class Volume extends model(
  "rv4_add_volumes",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    writerId: column(Integer, { nullable: true, foreignKey: "rv4_add_writers.id" }),
    writer: relationship<Writer | null>("Writer", { backPopulates: "books" }),
  },
  { registry },
) {}
registry.registerModels(Writer, Volume)

/** Counts the reads of `object`'s value of `key` by the session's internals. */
function countReads(object: object, key: string): { reads: number } {
  const counter = { reads: 0 }
  const state = stateOf(object) as { values: Record<string, unknown> }
  state.values = new Proxy(state.values, {
    get(target, property, receiver) {
      if (property === key) counter.reads++
      return Reflect.get(target, property, receiver)
    },
  })
  return counter
}

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`addAll() of linked new objects on ${fixture.name}`, () => {
    const engine = fixture.engine(`rv4-addall-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("walks a shared new parent a bounded number of times, not once per object given, and writes them all", async () => {
      await using session = new AsyncSession(engine)
      const name = `w-${fixture.name}`
      const writer = new Writer({ name })
      const volumes = Array.from({ length: 300 }, (_, i) => new Volume({ title: `v${i}`, writer } as never))
      expect(writer.books).toHaveLength(300)
      const counter = countReads(writer, "books")
      session.addAll([writer, ...volumes])
      // Was 302: the check walked the writer from each of the 301 objects, then add(writer) once more.
      expect(counter.reads).toBeLessThanOrEqual(4)
      expect(volumes.every((volume) => inspect(volume).state === "pending")).toBe(true)
      await session.commit()
      const rows = await session.scalars(select(Volume).where(Volume.writerId.eq(writer.id)))
      expect(rows.all()).toHaveLength(300)
    })

    it("still refuses the whole list when one reached from a later object is another session's", async () => {
      await using other = new AsyncSession(engine)
      await using session = new AsyncSession(engine)
      const writer = new Writer({ name: "w2" })
      const held = new Writer({ name: "held" })
      other.add(held)
      const first = new Volume({ title: "a", writer } as never)
      const last = new Volume({ title: "b", writer: held } as never)
      expect(() => session.addAll([writer, first, last])).toThrow(InvalidRequestError)
      expect([writer, first, last].map((object) => inspect(object).state)).toEqual([
        "transient",
        "transient",
        "transient",
      ])
    })
  })
}
