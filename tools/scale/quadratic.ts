// `npx tsx tools/scale/quadratic.ts [sizes...]`: times session paths at growing sizes (default 10k, 20k,
// 40k objects) to find work that grows with the square of the objects: a time that quadruples when the
// size doubles. Runs against neon-local (WebSocket) and a scratch PostgreSQL database; prints a table.
// Figures go into reports, never into tests.
import { AsyncSession, createAll, dropAll, select, selectinload } from "../../src/index.ts"
import { Child, Node, Parent, registry, Tag } from "./models.ts"
import { withRig } from "./rig.ts"

const sizes = process.argv.slice(2).map(Number)
if (sizes.length === 0) sizes.push(10_000, 20_000, 40_000)
const transport = (process.env.TRANSPORT ?? "neon-websocket") as "neon-websocket"

const figures: Record<string, number[]> = {}
function record(name: string, ms: number): void {
  figures[name] ??= []
  figures[name].push(ms)
}
async function time<T>(name: string, work: () => Promise<T> | T): Promise<T> {
  const started = performance.now()
  const result = await work()
  record(name, performance.now() - started)
  return result
}

await withRig(async (rig) => {
  const engine = rig.engine(transport)
  for (const n of sizes) {
    const connection = engine.connect()
    await dropAll(registry.metadata, connection)
    await createAll(registry.metadata, connection)
    await connection.close()
    {
      await using session = new AsyncSession(engine)
      const parent = new Parent({ name: "by parent" })
      await time("construct children with parent: p", () => {
        for (let i = 0; i < n; i++) new Child({ name: `a${i}`, parent })
      })
      const other = new Parent({ name: "by push" })
      await time("children.push one by one", () => {
        for (let i = 0; i < n; i++) other.children.push(new Child({ name: `b${i}` }))
      })
      session.addAll([parent, other])
      await time("commit new parent + children", () => session.commit())
      parent.name = "renamed"
      await time("commit one change beside a loaded collection", () => session.commit())
      await time("reassign collection (same members)", () => {
        parent.children = [...parent.children]
      })
      await time("commit after reassign", () => session.commit())
    }
    {
      await using session = new AsyncSession(engine)
      await time("selectinload one parent's children", () =>
        session.scalars(select(Parent).options(selectinload(Parent.children))),
      )
      await time("commit nothing changed", () => session.commit())
    }
    {
      await using session = new AsyncSession(engine)
      const tags = Array.from({ length: n }, (_, i) => new Tag({ id: i + 1, name: `t${i}` }))
      session.addAll(tags)
      await time("commit objects giving generated keys", () => session.commit())
    }
    {
      await using session = new AsyncSession(engine)
      const all = (await session.scalars(select(Child))).all()
      for (const child of all) child.name = `${child.name}!`
      await time("commit updates of every child", () => session.commit())
      for (const child of all.slice(0, n)) session.delete(child)
      await time("commit deletes of n children", () => session.commit())
    }
    {
      // A chain of nodes, each the parent of the next: as many insert levels as nodes (n / 10).
      await using session = new AsyncSession(engine)
      let last = new Node({})
      session.add(last)
      for (let i = 1; i < n / 10; i++) last = new Node({ parent: last })
      await time("commit a chain n/10 deep", () => session.commit())
    }
  }
})

const width = Math.max(...Object.keys(figures).map((name) => name.length))
console.log(`${"".padEnd(width)}  ${sizes.map((n) => `${n}`.padStart(9)).join("")}`)
for (const [name, times] of Object.entries(figures)) {
  console.log(`${name.padEnd(width)}  ${times.map((ms) => `${ms.toFixed(0)} ms`.padStart(9)).join("")}`)
}
