// The differential fuzzer of expressions, on demand:
//   npx tsx tools/fuzz/expression-fuzz.ts --seed 1 --runs 50 [--rows 6 --expressions 40 --updates 6 --depth 3 --shrink 200]
//     [--pg-timezone Pacific/Kiritimati]
// It starts its own stand-ins (a scratch PostgreSQL database behind neon-local, libsql-local, an
// embedded libSQL file), runs seeds N to N+M-1, each on one pair of transports in turn (Neon HTTP or
// WebSocket, with libSQL HTTP or embedded), and prints every disagreement, minimised: first those no
// documented difference explains (exit code 1 when there are any), then the documented ones, counted.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import ws from "ws"
import { createAll, createEngine, dropAll, type Engine } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { neon } from "../../src/neon.ts"
import { createScratchDatabase, pgUrl, reachPostgres } from "../../test/setup/postgres.ts"
import { startLibsqlLocal } from "../libsql-local/index.ts"
import { startNeonLocal } from "../neon-local/index.ts"
import { DEFAULT_OPTIONS, Differential, type Finding, type Target } from "./differential.ts"
import { fuzzModel } from "./fuzz-model.ts"
import { documentedDifference } from "./known-differences.ts"

const { values } = parseArgs({
  options: {
    seed: { type: "string", default: "1" },
    runs: { type: "string", default: "20" },
    rows: { type: "string" },
    expressions: { type: "string" },
    updates: { type: "string" },
    depth: { type: "string" },
    shrink: { type: "string" },
    // The PostgreSQL server's zone for the scratch database (`ALTER DATABASE ... SET timezone`).
    "pg-timezone": { type: "string" },
  },
})
const options = {
  rows: Number(values.rows ?? DEFAULT_OPTIONS.rows),
  expressions: Number(values.expressions ?? DEFAULT_OPTIONS.expressions),
  updates: Number(values.updates ?? DEFAULT_OPTIONS.updates),
  depth: Number(values.depth ?? DEFAULT_OPTIONS.depth),
  shrinkBudget: Number(values.shrink ?? DEFAULT_OPTIONS.shrinkBudget),
}
const firstSeed = Number(values.seed)
const runs = Number(values.runs)

await reachPostgres(pgUrl())
const database = await createScratchDatabase(pgUrl())
if (values["pg-timezone"]) {
  const { default: pg } = await import("pg")
  const client = new pg.Client(pgUrl())
  await client.connect()
  const name = new URL(database.url).pathname.slice(1)
  await client.query(
    `ALTER DATABASE "${name}" SET timezone TO ${client.escapeLiteral(values["pg-timezone"])}`,
  )
  await client.end()
}
const neonLocal = await startNeonLocal({ upstream: database.url, port: 0 })
const libsqlLocal = await startLibsqlLocal({ port: 0 })
const folder = mkdtempSync(join(tmpdir(), "ea-fuzz-"))
const { model, registry } = fuzzModel("fz_")

const neonEngine = (mode: "http" | "websocket") =>
  createEngine(database.url, {
    driver: neon({
      fetchEndpoint: `${neonLocal.url}/sql`,
      wsProxy: (host, port) => `${neonLocal.url.replace(/^http:\/\//, "")}/v2?address=${host}:${port}`,
      useSecureWebSocket: false,
      pipelineConnect: false,
      coalesceWrites: false,
      webSocketConstructor: ws,
      mode,
    }),
  })
const postgres: Target[] = [
  { transport: "neon-http", dialect: "postgresql", engine: neonEngine("http") },
  { transport: "neon-websocket", dialect: "postgresql", engine: neonEngine("websocket") },
]
const sqlites: Target[] = [
  {
    transport: "libsql-http",
    dialect: "sqlite",
    engine: createEngine(`${libsqlLocal.url}/`, { driver: libsql() }),
  },
  {
    transport: "libsql-embedded",
    dialect: "sqlite",
    engine: createEngine(`file:${join(folder, "fuzz.db")}`, { driver: libsqlEmbedded() }),
  },
]

async function createSchema(engine: Engine): Promise<void> {
  await using connection = engine.connect()
  await dropAll(registry.metadata, connection)
  await createAll(registry.metadata, connection)
}

async function stopAll(): Promise<void> {
  await Promise.all([neonLocal.stop(), libsqlLocal.stop()])
  await database.drop()
  rmSync(folder, { recursive: true, force: true })
}
// Stopped early (Ctrl-C, a timeout), it still drops its scratch database.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    stopAll().finally(() => process.exit(130))
  })
}

const seen = new Set<string>()
const unexplained: Finding[] = []
const documented = new Map<string, Finding[]>()
try {
  for (const engine of [postgres[0], ...sqlites]) await createSchema((engine as Target).engine)
  for (let seed = firstSeed; seed < firstSeed + runs; seed++) {
    const pair = [postgres[seed % 2], sqlites[Math.floor(seed / 2) % 2]] as [Target, Target]
    const found = await new Differential(pair, model, options).runSeed(seed)
    let fresh = 0
    for (const finding of found) {
      const key = `${finding.check} ${finding.category} ${finding.subject}`
      if (seen.has(key)) continue
      seen.add(key)
      const reason = documentedDifference(finding)
      if (reason) documented.set(reason, [...(documented.get(reason) ?? []), finding])
      else {
        unexplained.push(finding)
        fresh++
        // As found: a long run is worth reading before it ends.
        console.log(`\n${finding.repro}\n`)
      }
    }
    console.log(
      `seed ${seed} on ${pair.map((t) => t.transport).join(" + ")}: ${found.length} disagreements, ${fresh} new unexplained`,
    )
  }
} finally {
  await stopAll()
}

console.log(`\n${unexplained.length} unexplained disagreements; documented differences:`)
for (const [reason, found] of documented) {
  console.log(`\n  ${found.length} × ${reason}, e.g.\n${(found[0] as Finding).repro.replace(/^/gm, "    ")}`)
}
process.exitCode = unexplained.length > 0 ? 1 : 0
