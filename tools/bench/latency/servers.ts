// The latency benchmark's far-away databases, in a process of their own (so that the endpoints' and
// the databases' work never runs on the contenders' thread, as it would not in production):
// neon-local in front of PG_URL's server, one libsql-local per contender scope, and a delay proxy in
// front of each. Started by ../latency.ts as `node --import tsx tools/bench/latency/servers.ts`; it
// prints one JSON line with its addresses (`Servers`), and stops when its stdin closes.
//   BENCH_DELAY_MS  the delay per request (default 50)
//   BENCH_SCOPES    the contenders' scopes, comma-separated (each gets a libSQL database of its own)
import { startLibsqlLocal } from "../../libsql-local/index.ts"
import { startNeonLocal } from "../../neon-local/index.ts"
import { PG_URL } from "../support/scratch-database.ts"
import { startDelayProxy } from "./delay-proxy.ts"

export interface Servers {
  readonly delayMs: number
  /** neon-local, direct (setup, counters) and behind the delay (contenders). */
  readonly neon: { readonly direct: string; readonly delayed: string }
  /** One libsql-local per scope, direct; all behind one delay proxy that routes by scope. */
  readonly libsql: {
    readonly direct: Record<string, string>
    readonly delayed: string
    /** Each scope's database file, for reading it directly. */
    readonly files: Record<string, string>
  }
}

const delayMs = Number(process.env.BENCH_DELAY_MS ?? 50)
const scopes = (process.env.BENCH_SCOPES ?? "edgealchemy,drizzle").split(",")

const neonLocal = await startNeonLocal({ upstream: PG_URL, port: 0 })
const libsqlLocals = await Promise.all(scopes.map(() => startLibsqlLocal({ port: 0 })))
const libsqlFor = (scope: string | undefined) => {
  const index = scopes.indexOf(scope ?? "")
  return (libsqlLocals[index] ?? libsqlLocals[0])?.url as string
}
const neonProxy = await startDelayProxy({ delayMs, upstreamFor: () => neonLocal.url })
const libsqlProxy = await startDelayProxy({ delayMs, upstreamFor: libsqlFor })

const servers: Servers = {
  delayMs,
  neon: { direct: neonLocal.url, delayed: neonProxy.url },
  libsql: {
    direct: Object.fromEntries(scopes.map((scope) => [scope, libsqlFor(scope)])),
    delayed: libsqlProxy.url,
    files: Object.fromEntries(scopes.map((scope, i) => [scope, libsqlLocals[i]?.path as string])),
  },
}
process.stdout.write(`${JSON.stringify(servers)}\n`)

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  await Promise.allSettled([neonProxy.stop(), libsqlProxy.stop()])
  await Promise.allSettled([neonLocal.stop(), ...libsqlLocals.map((local) => local.stop())])
  process.exit(0)
}
process.stdin.on("end", stop)
process.stdin.on("close", stop)
process.on("SIGTERM", stop)
process.stdin.resume()
