// `npx tsx tools/scale/loops.ts [sizes...]`: CPU of common application loops over a session at growing
// sizes (default 1k, 2k, 4k, 8k), to find those that grow with the square: a figure that quadruples
// when the size doubles. The loop alone is timed (process CPU, so the in-process stand-in's share of
// the flush loop's requests is in it). Runs against libsql-local (TRANSPORT=neon-websocket for Neon).
// Figures go into reports, never into tests.
import { AsyncSession, createAll, dropAll, select, selectinload } from "../../src/index.ts"
import { Child, Parent, registry } from "./models.ts"
import { type TransportName, withRig } from "./rig.ts"

const sizes = process.argv.slice(2).map(Number)
if (sizes.length === 0) sizes.push(1_000, 2_000, 4_000, 8_000)
const transport = (process.env.TRANSPORT ?? "libsql-http") as TransportName

// The first size warms the JIT up: measured, not printed.
sizes.unshift(500)
const figures: Record<string, number[]> = {}
async function cpu<T>(name: string, work: () => Promise<T> | T): Promise<T> {
  const started = process.cpuUsage()
  const result = await work()
  const used = process.cpuUsage(started)
  figures[name] ??= []
  figures[name].push((used.user + used.system) / 1000)
  return result
}

await withRig(async (rig) => {
  const engine = rig.engine(transport)
  for (const n of sizes) {
    const connection = engine.connect()
    await dropAll(registry.metadata, connection)
    await createAll(registry.metadata, connection)
    await connection.close()
    let parentId = 0
    {
      await using session = new AsyncSession(engine)
      const parent = new Parent({ name: "shared new" })
      const children = Array.from({ length: n }, (_, i) => new Child({ name: `a${i}`, parent }))
      await cpu("add() loop, shared new parent", () => {
        for (const child of children) session.add(child)
      })
      await session.commit()
      parentId = parent.id
    }
    {
      await using session = new AsyncSession(engine)
      const parent = new Parent({ name: "made in the loop" })
      await cpu("new child + add() loop, shared new parent", () => {
        for (let i = 0; i < n; i++) session.add(new Child({ name: `m${i}`, parent }))
      })
      await session.rollback()
    }
    {
      await using session = new AsyncSession(engine)
      const parent = new Parent({ name: "addAll" })
      const children = Array.from({ length: n }, (_, i) => new Child({ name: `b${i}`, parent }))
      await cpu("addAll(), shared new parent", () => session.addAll(children))
      await session.rollback()
    }
    {
      await using session = new AsyncSession(engine)
      const parent = (
        await session.scalars(
          select(Parent).where(Parent.id.eq(parentId)).options(selectinload(Parent.children)),
        )
      ).one()
      await cpu("new child + add() loop, shared loaded parent", () => {
        for (let i = 0; i < n; i++) session.add(new Child({ name: `c${i}`, parent }))
      })
      await session.rollback()
    }
    {
      await using session = new AsyncSession(engine)
      const children = (await session.scalars(select(Child))).all()
      await cpu("get() loop, identity map hits", async () => {
        for (const child of children) await session.get(Child, child.id)
      })
      await cpu("expunge() loop", () => {
        for (const child of children) session.expunge(child)
      })
    }
    {
      await using session = new AsyncSession(engine)
      const [parent] = (
        await session.scalars(
          select(Parent).where(Parent.id.eq(parentId)).options(selectinload(Parent.children)),
        )
      ).all()
      await cpu("delete() loop, children of one loaded parent", () => {
        for (const child of parent?.children ?? []) session.delete(child)
      })
      await session.rollback()
    }
    {
      // Detached children whose parent (children not loaded) they share; the session holds the rows.
      let detached: InstanceType<typeof Child>[] = []
      {
        await using source = new AsyncSession(engine)
        detached = (await source.scalars(select(Child).options(selectinload(Child.parent)))).all()
      }
      await using session = new AsyncSession(engine)
      await session.scalars(select(Child).options(selectinload(Child.parent)))
      await cpu("merge() loop, detached children sharing a parent", async () => {
        for (const child of detached) await session.merge(child)
      })
      await session.rollback()
    }
    {
      await using session = new AsyncSession(engine)
      const children = (await session.scalars(select(Child))).all()
      await cpu("change + flush() per change, n/10 changes, n held", async () => {
        for (const child of children.slice(0, n / 10)) {
          child.name = `${child.name}!`
          await session.flush()
        }
      })
      await session.rollback()
    }
    {
      await using session = new AsyncSession(engine)
      const children = (await session.scalars(select(Child))).all()
      const first = children[0]?.id ?? 0
      await cpu("change + query (autoflush) per change, n/10, n held", async () => {
        for (const child of children.slice(0, n / 10)) {
          child.name = `${child.name}?`
          await session.scalars(select(Child).where(Child.id.eq(first)))
        }
      })
      await session.rollback()
      await cpu("query, nothing changed, n/10 times, n held", async () => {
        for (let i = 0; i < n / 10; i++) await session.scalars(select(Child).where(Child.id.eq(first)))
      })
    }
  }
})

const width = Math.max(...Object.keys(figures).map((name) => name.length))
console.log(`${transport}: CPU ms`)
console.log(
  `${"".padEnd(width)}  ${sizes
    .slice(1)
    .map((n) => `${n}`.padStart(9))
    .join("")}`,
)
for (const [name, times] of Object.entries(figures)) {
  console.log(
    `${name.padEnd(width)}  ${times
      .slice(1)
      .map((ms) => `${ms.toFixed(0)}`.padStart(9))
      .join("")}`,
  )
}
