// `npx tsx tools/bench/flush.ts` (`npm run bench:flush`): the CPU cost of flushing 1,000 new objects
// (100 users with 9 posts each): collecting, planning and rendering the single request, without I/O
// (median of RUNS=30 runs); then the same commit end to end against libsql-local and neon-local (on a
// scratch PostgreSQL database), as one request each.
import {
  AsyncSession,
  column,
  createAll,
  createEngine,
  type Dialect,
  Integer,
  model,
  postgresql,
  Registry,
  relationship,
  String,
  sqlite,
} from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neon } from "../../src/neon.ts"
import { collectChanges } from "../../src/orm/flush/collect.ts"
import { planFlush } from "../../src/orm/flush/plan.ts"
import { postgresFlushRenderer } from "../../src/orm/flush/postgres.ts"
import { sqliteFlushRenderer } from "../../src/orm/flush/sqlite.ts"
import { type InstanceState, stateOf } from "../../src/orm/state.ts"
import { startLibsqlLocal } from "../libsql-local/index.ts"
import { startNeonLocal } from "../neon-local/index.ts"
import { BenchmarkError } from "./support/benchmark-error.ts"
import { isMain } from "./support/main.ts"
import { PG_URL, withScratchDatabase } from "./support/scratch-database.ts"
import { median } from "./support/stats.ts"

const registry = new Registry()
class Author extends model(
  "bench_authors",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(50)),
    posts: relationship<Entry[]>("Entry", { backPopulates: "author" }),
  },
  { registry },
) {}
class Entry extends model(
  "bench_entries",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(100)),
    authorId: column(Integer, { foreignKey: "bench_authors.id" }),
    author: relationship<Author>("Author", { backPopulates: "posts" }),
  },
  { registry },
) {}
registry.registerModels(Author, Entry)

function graph(): Author[] {
  return Array.from({ length: 100 }, (_, a) => {
    const author = new Author({ name: `author ${a}` })
    for (let p = 0; p < 9; p++) new Entry({ title: `entry ${a}.${p}`, author })
    return author
  })
}

function planCpu(renderer: typeof postgresFlushRenderer, dialect: Dialect, runs: number): number {
  const times: number[] = []
  for (let run = 0; run < runs; run++) {
    const pending = new Set<InstanceState>(graph().map((author) => stateOf(author)))
    const session = { id: run }
    for (const state of pending) state.session = session
    const started = process.cpuUsage()
    const changes = collectChanges(session, pending, [], new Set())
    const plan = planFlush(changes, changes.order)
    const statements = renderer.render(plan.steps, dialect).map((r) => r.statement.compile())
    const used = process.cpuUsage(started)
    if (plan.inserted.length !== 1000 || statements.length !== 2) throw new BenchmarkError("unexpected plan")
    times.push((used.user + used.system) / 1000)
  }
  return median(times)
}

export interface FlushFigures {
  /** Median CPU ms to plan and render the flush of 1,000 new objects. */
  readonly planCpu: { readonly postgresql: number; readonly sqlite: number }
  /** The commit of the same graph end to end: requests and wall ms, per transport. */
  readonly commits: readonly { readonly database: string; readonly requests: number; readonly wall: number }[]
}

export async function runFlush({ runs }: { runs: number }): Promise<FlushFigures> {
  const planCpuFigures = {
    postgresql: planCpu(postgresFlushRenderer, postgresql, runs),
    sqlite: planCpu(sqliteFlushRenderer, sqlite, runs),
  }
  console.log(
    `plan + render 1,000 new objects, CPU median of ${runs}: PostgreSQL ${planCpuFigures.postgresql.toFixed(1)} ms, SQLite ${planCpuFigures.sqlite.toFixed(1)} ms`,
  )
  const commits: { database: string; requests: number; wall: number }[] = []
  const neonLocal = await startNeonLocal({ upstream: PG_URL, port: 0 })
  const libsqlLocal = await startLibsqlLocal({ port: 0 })
  try {
    await withScratchDatabase(async (pgUrl) => {
      for (const [name, engine, stats] of [
        [
          "Neon HTTP",
          createEngine(pgUrl, { driver: neon({ fetchEndpoint: neonLocal.fetchEndpoint("bench") }) }),
          () => neonLocal.stats("bench"),
        ],
        [
          "libSQL HTTP",
          createEngine(`${libsqlLocal.url}/s/bench/`, { driver: libsql() }),
          () => libsqlLocal.stats("bench"),
        ],
      ] as const) {
        const connection = engine.connect()
        await createAll(registry.metadata, connection)
        await connection.close()
        const before = stats().httpRequests
        const session = new AsyncSession(engine)
        session.addAll(graph())
        const started = performance.now()
        await session.commit()
        const elapsed = performance.now() - started
        const requests = stats().httpRequests - before
        commits.push({ database: name, requests, wall: elapsed })
        console.log(
          `${name}: commit of 1,000 new objects ${elapsed.toFixed(1)} ms wall, ${requests} request(s)`,
        )
        await session.close()
      }
    })
  } finally {
    await Promise.all([neonLocal.stop(), libsqlLocal.stop()])
  }
  return { planCpu: planCpuFigures, commits }
}

if (isMain("flush")) await runFlush({ runs: Number(process.env.RUNS ?? 30) })
