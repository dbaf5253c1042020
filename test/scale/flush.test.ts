// Flushes of thousands of objects, on the three web transports: one request each, every row where it
// belongs, and statements whose size grows with the rows but whose work does not grow with their square.
// (Timings of the same paths at 10,000-40,000 objects: tools/scale/quadratic.ts.)
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, func, inspect, select } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scaleModels } from "./models.ts"

const { registry, links, Parent, Child, Tag, Node } = scaleModels("sc_flush_")

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  flushAtScale(fixture)
}

function flushAtScale(fixture: TransportFixture): void {
  const scope = (name: string) => `sc-flush-${fixture.name}-${name}-${Date.now().toString(36)}`

  describe(`flushes of thousands of objects on ${fixture.name}`, () => {
    const engine = fixture.engine(scope("setup"))
    freshSchema(engine, registry.metadata)

    it("inserts a new parent's 2,000 children in one request, finding the parent's new key once per statement", async () => {
      const lines: string[] = []
      const name = scope("children")
      await using session = new AsyncSession(fixture.engine(name, { echo: (line) => lines.push(line) }))
      const parent = new Parent({ name: "many children" })
      for (let i = 0; i < 2_000; i++) parent.children.push(new Child({ name: `child ${i}` }))
      session.add(parent)
      const before = await fixture.stats(name)
      await session.commit()
      const after = await fixture.stats(name)
      if (fixture.name !== "neon-websocket")
        expect((after?.httpRequests ?? 0) - (before?.httpRequests ?? 0)).toBe(1)
      const childInserts = lines.filter(
        (line) => line.includes("INSERT INTO") && line.includes("sc_flush_children"),
      )
      expect(childInserts).toHaveLength(1)
      if (fixture.dialect === "sqlite") {
        // Once per row, SQLite planned the VALUES list as a compound SELECT: time grew with rows squared.
        expect(childInserts[0]?.match(/SELECT max\(/g)).toHaveLength(1)
      }
      await using check = new AsyncSession(engine)
      const counted = await check.scalar(select(func.count(Child.id)).where(Child.parentId.eq(parent.id)))
      expect(Number(counted)).toBe(2_000)
      expect(new Set(parent.children.map((child) => child.parentId))).toEqual(new Set([parent.id]))
    })

    it("commits changes beside 3,000 loaded children: removed ones deleted as orphans, the others kept", async () => {
      const lines: string[] = []
      await using session = new AsyncSession(
        fixture.engine(scope("orphans"), { echo: (line) => lines.push(line) }),
      )
      const parent = new Parent({ name: "before" })
      for (let i = 0; i < 3_000; i++) parent.children.push(new Child({ name: `kept ${i}` }))
      session.add(parent)
      await session.commit()
      lines.length = 0
      parent.name = "after"
      await session.commit()
      expect(lines.filter((line) => /\b(INSERT|UPDATE|DELETE)\b/.test(line))).toHaveLength(1)
      const removed = parent.children.splice(0, 1_000)
      await session.commit()
      expect(removed.map((child) => inspect(child).state)).toEqual(removed.map(() => "detached"))
      await using check = new AsyncSession(engine)
      const names = (await check.scalars(select(Child.c.name).where(Child.parentId.eq(parent.id)))).all()
      expect(names).toHaveLength(2_000)
      expect(new Set(names)).toEqual(new Set(parent.children.map((child) => child.name)))
    })

    it("gives 3,000 new rows that bring their own keys their own rows' values", async () => {
      await using session = new AsyncSession(fixture.engine(scope("keyed")))
      const base = 1_000_000
      const tags = Array.from(
        { length: 3_000 },
        (_, i) => new Tag({ id: base + 2_999 - i, name: `keyed ${i}` }),
      )
      session.addAll(tags)
      await session.commit()
      expect(tags.every((tag, i) => tag.id === base + 2_999 - i && tag.name === `keyed ${i}`)).toBe(true)
      expect(tags.some((tag) => session.isModified(tag))).toBe(false)
    })

    it("inserts a chain of 1,000 new nodes level by level in one request, and refuses a cycle of new ones", async () => {
      const name = scope("chain")
      await using session = new AsyncSession(fixture.engine(name))
      const nodes = [new Node({})]
      for (let i = 1; i < 1_000; i++)
        nodes.push(new Node({ parent: nodes[i - 1] as InstanceType<typeof Node> }))
      session.addAll(nodes)
      const before = await fixture.stats(name)
      await session.commit()
      const after = await fixture.stats(name)
      if (fixture.name !== "neon-websocket")
        expect((after?.httpRequests ?? 0) - (before?.httpRequests ?? 0)).toBe(1)
      expect(nodes.slice(1).every((node, i) => node.parentId === nodes[i]?.id)).toBe(true)
      await using check = new AsyncSession(engine)
      const last = nodes[999]?.id as number
      expect((await check.get(Node, last))?.parentId).toBe(nodes[998]?.id)

      const [a, b] = [new Node({}), new Node({})]
      a.parent = b
      b.parent = a
      session.addAll([a, b])
      await expect(session.commit()).rejects.toThrow(/refer to each other in a cycle, .*postUpdate: true/)
    })

    it("links 60 new parents to 60 new tags each (3,600 link rows) in one request", async () => {
      const lines: string[] = []
      await using session = new AsyncSession(
        fixture.engine(scope("links"), { echo: (line) => lines.push(line) }),
      )
      const tags = Array.from({ length: 60 }, (_, i) => new Tag({ name: `linked ${i}` }))
      const parents = Array.from({ length: 60 }, (_, i) => new Parent({ name: `linking ${i}` }))
      for (const parent of parents) parent.tags = [...tags]
      session.addAll(parents)
      await session.commit()
      const linkInsert = lines.find((line) => line.includes("INSERT INTO") && line.includes("sc_flush_links"))
      if (fixture.dialect === "sqlite") expect(linkInsert?.match(/SELECT max\(/g)).toHaveLength(2)
      await using check = new AsyncSession(engine)
      const ids = parents.map((parent) => parent.id)
      const linked = await check.scalar(
        select(func.count()).selectFrom(links).where(links.c.parentId.in(ids)),
      )
      expect(Number(linked)).toBe(3_600)
    })
  })
}
