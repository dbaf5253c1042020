// A model-based test of AsyncSession's unit of work: random sequences of operations (adding objects,
// changing columns, moving children between parents from either side, removing them from collections,
// many-to-many links, deletes with their cascades, flush, commit, rollback, savepoints, loads, get,
// queries that autoflush, refresh, statements the database refuses) run against the real session and against a plain reference model
// (./reference.ts); after every operation the session's objects are checked against it, and after
// every commit the tables, read through a connection of their own. On Neon HTTP and WebSocket and on
// libSQL over HTTP. Fixed seeds; for a deeper search MODEL_RUNS multiplies the runs and MODEL_SEED
// shifts the seeds (`MODEL_RUNS=20 npx vitest run --project node test/model-based`); MODEL_SHRINK=1
// shrinks a failure to a minimal sequence, MODEL_ONLY=neon-http runs one transport, MODEL_LOG=1 prints
// how often each operation acted. Operations left out on purpose are in ./operations.ts.
import fc from "fast-check"
import { afterAll, describe, expect, it } from "vitest"
import ws from "ws"
import { deleteFrom, type Engine, update } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { Author, Book, bookTags, Category, registry, Tag } from "./models.ts"
import { apply, checkSession, type Op, opArbitrary, World } from "./operations.ts"
// The minimal cases it found run in this file, one after the other with the random runs: as a file of
// their own they ran beside these (three files at once) and dropped the same tables under them.
import "./regressions.ts"

const env: Record<string, string | undefined> = globalThis.process?.env ?? {}
const RUNS = Number(env.MODEL_RUNS) || 1
const SEED = Number(env.MODEL_SEED) || 0

async function wipe(engine: Engine): Promise<void> {
  await engine.execute(deleteFrom(bookTags))
  await engine.execute(deleteFrom(Book))
  await engine.execute(update(Category).values({ parentId: null }))
  await engine.execute(deleteFrom(Category))
  await engine.execute(deleteFrom(Tag))
  await engine.execute(deleteFrom(Author))
}

let runs = 0

/** Every sequence starts from a few committed rows, so that its operations find objects to act on. */
const SETUP: readonly Op[] = [
  { op: "addAuthor", name: "ann" },
  { op: "addAuthor", name: "bo" },
  { op: "addCategory", parent: null, name: "ann" },
  { op: "addCategory", parent: 0, name: "bo" },
  { op: "addTag", name: "ann" },
  { op: "addTag", name: "bo" },
  { op: "addBook", author: 0, category: 0, name: "ann", viaCollection: false },
  { op: "addBook", author: 0, category: 1, name: "bo", viaCollection: true },
  { op: "addBook", author: 1, category: null, name: "cy", viaCollection: false },
  { op: "link", book: 0, tag: 0, viaTag: false },
  { op: "link", book: 0, tag: 1, viaTag: true },
  { op: "link", book: 2, tag: 1, viaTag: false },
  { op: "commit" },
]
const tally = new Map<string, number>()
function tallyOps(log: readonly string[]): void {
  for (const line of log) {
    const name = (JSON.parse(line) as Op).op
    tally.set(name, (tally.get(name) ?? 0) + 1)
  }
}
afterAll(() => {
  if (env.MODEL_LOG) console.log([...tally].map(([k, v]) => `${k} ${v}`).join(", "))
})

/** Runs one sequence of operations; throws on the first divergence, naming the operations so far. */
async function runSequence(engine: Engine, reader: Engine, ops: readonly Op[]): Promise<void> {
  const world = new World(engine, reader, `r${++runs}${Date.now().toString(36).slice(-4)}_`)
  try {
    for (const op of SETUP) await apply(world, op)
    for (const [i, op] of ops.entries()) {
      const acted = await apply(world, op).catch((error: unknown) => {
        throw new Error(`operation ${i} ${JSON.stringify(op)} failed: ${String(error)}`, { cause: error })
      })
      if (acted) world.log.push(JSON.stringify(op))
      try {
        checkSession(world)
      } catch (error) {
        throw new Error(`after operation ${i} ${JSON.stringify(op)}: ${String(error)}`, { cause: error })
      }
    }
    // A failure that ended the transaction is rolled back first, as the session asks, so that the last
    // commit writes and the tables are checked.
    if (world.ref.pendingRollback) await apply(world, { op: "rollback" })
    await apply(world, { op: "commit" })
  } finally {
    if (env.MODEL_LOG) tallyOps(world.log)
    await world.session.close()
  }
}

function modelSuite(fixture: TransportFixture, seed: number): void {
  if (env.MODEL_ONLY && env.MODEL_ONLY !== fixture.name) return
  it(
    `random sequences of session operations agree with the reference model on ${fixture.name}`,
    async () => {
      const engine = fixture.engine(`mb-${fixture.name}-${Date.now().toString(36)}`)
      const details = await fc.check(
        fc.asyncProperty(fc.array(opArbitrary, { minLength: 10, maxLength: 40 }), async (ops) => {
          await wipe(engine)
          await runSequence(engine, engine, ops)
        }),
        { seed: seed + SEED, numRuns: 12 * RUNS, endOnFailure: env.MODEL_SHRINK === undefined },
      )
      if (details.failed) {
        expect.fail(
          `failed after ${details.numRuns} runs (seed ${seed + SEED}) on ${fc.stringify(details.counterexample)}: ${String(details.errorInstance)}`,
        )
      }
    },
    // Shrinking (MODEL_SHRINK=1) replays sequences many times: it gets half an hour.
    env.MODEL_SHRINK === undefined ? 120_000 : 1_800_000,
  )
}

const neonHttp = neonFixture("http", ws)
const neonWebsocket = neonFixture("websocket", ws)
const libsqlHttp = libsqlHttpFixture()

/** Whether MODEL_ONLY leaves one of these transports to run (a describe with no test fails). */
const runsAny = (...fixtures: TransportFixture[]) =>
  !env.MODEL_ONLY || fixtures.some((fixture) => fixture.name === env.MODEL_ONLY)

if (runsAny(neonHttp, neonWebsocket)) {
  describe("model-based session test on PostgreSQL", () => {
    freshSchema(neonHttp.engine(`mb-schema-${Date.now().toString(36)}`), registry.metadata)
    modelSuite(neonHttp, 1001)
    modelSuite(neonWebsocket, 1002)
  })
}

if (runsAny(libsqlHttp)) {
  describe("model-based session test on SQLite", () => {
    freshSchema(libsqlHttp.engine(`mb-schema-${Date.now().toString(36)}`), registry.metadata)
    modelSuite(libsqlHttp, 1003)
  })
}
