// `npx tsx tools/bench/workerd-profile.ts <contender> [--top=N] [--focus=REGEX]` (`npm run
// bench:workerd-profile -- "libsql edgealchemy"`): one get-by-id contender of ./workerd-cpu.ts run in
// workerd over its recorded answers, with V8's sampling profiler on through workerd's inspector, for
// PROFILE_TURNS (default 20) turns of PER_TURN (2,000) operations after WARMUP_TURNS (3). Prints the
// summary (self and inclusive time by function and by file) and writes the profile to
// $TMPDIR/edgealchemy-profiles/. bench:profile does the same in Node, whose fetch, streams and
// AbortSignal are JavaScript of their own: workerd's are C++, and cost what they cost there.
import { mkdirSync, writeFileSync } from "node:fs"
import { SourceMap } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { Miniflare } from "miniflare"
import WebSocket from "ws"
import { GET_CONTENDERS } from "./get-contenders/contenders.ts"
import { recordContenders } from "./get-contenders/recording.ts"
import { BenchmarkError } from "./support/benchmark-error.ts"
import { type CpuProfile, printProfile, summarizeProfile } from "./support/cpu-profile.ts"
import { isMain } from "./support/main.ts"
import { workerBundle } from "./workerd-cpu.ts"

const ROOT = fileURLToPath(new URL("../../", import.meta.url))

/** A Chrome DevTools Protocol session over one inspector WebSocket. */
async function inspect(
  url: string,
): Promise<{ post: (method: string, params?: object) => Promise<unknown>; close: () => void }> {
  const socket = new WebSocket(url)
  await new Promise((resolve, reject) => {
    socket.once("open", resolve)
    socket.once("error", reject)
  })
  let nextId = 1
  const waiting = new Map<number, (message: { result?: unknown; error?: { message: string } }) => void>()
  socket.on("message", (data) => {
    const message = JSON.parse(String(data))
    waiting.get(message.id)?.(message)
    waiting.delete(message.id)
  })
  return {
    post: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = nextId++
        waiting.set(id, (message) =>
          message.error
            ? reject(new BenchmarkError(`${method}: ${message.error.message}`))
            : resolve(message.result),
        )
        socket.send(JSON.stringify({ id, method, params }))
      }),
    close: () => socket.close(),
  }
}

export async function profileInWorkerd(
  contender: string,
  turns: number,
  warmupTurns: number,
  perTurn: number,
) {
  if (!GET_CONTENDERS.some(({ names }) => (names as readonly string[]).includes(contender)))
    throw new BenchmarkError(
      `no contender "${contender}": ${GET_CONTENDERS.flatMap((c) => c.names).join(", ")}`,
    )
  const { tapes } = await recordContenders()
  const bundle = await workerBundle(true)
  // esbuild names sources relative to the outfile, `worker.js` in the repository's root.
  const payload = JSON.parse(bundle.map ?? "{}")
  payload.sources = (payload.sources as string[]).map((source) => pathToFileURL(join(ROOT, source)).href)
  const map = new SourceMap(payload)
  const inspectorPort = 9300 + Math.floor(Math.random() * 500)
  const miniflare = new Miniflare({
    modules: [{ type: "ESModule", path: "worker.js", contents: bundle.code }],
    compatibilityDate: "2026-04-01",
    host: "127.0.0.1",
    port: 0,
    cf: false,
    inspectorPort,
  })
  try {
    const base = await miniflare.ready
    const call = async (path: string, init?: RequestInit) => {
      const response = await fetch(new URL(path, base), init)
      const body = await response.text()
      if (!response.ok) throw new BenchmarkError(`${path}: ${response.status} ${body}`)
      return body
    }
    await call("/tapes", { method: "POST", body: JSON.stringify(tapes) })
    const run = `/run?contender=${encodeURIComponent(contender)}&times=${perTurn}`
    for (let i = 0; i < warmupTurns; i++) await call(run)
    const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
      webSocketDebuggerUrl: string
    }[]
    const target = targets.find((t) => t.webSocketDebuggerUrl)
    if (!target) throw new BenchmarkError("workerd's inspector lists no worker")
    const session = await inspect(target.webSocketDebuggerUrl)
    try {
      await session.post("Profiler.enable")
      await session.post("Profiler.setSamplingInterval", { interval: 50 })
      await session.post("Profiler.start")
      for (let i = 0; i < turns; i++) await call(run)
      const { profile } = (await session.post("Profiler.stop")) as { profile: CpuProfile }
      const folder = join(tmpdir(), "edgealchemy-profiles")
      mkdirSync(folder, { recursive: true })
      const file = join(folder, `workerd-${contender.replace(/\W+/g, "-")}.cpuprofile`)
      writeFileSync(file, JSON.stringify(profile))
      console.log(`workerd, ${contender}: ${turns * perTurn} operations profiled; ${file}`)
      return {
        summary: summarizeProfile(profile, (url) => (url.endsWith("worker.js") ? map : undefined)),
        operations: turns * perTurn,
      }
    } finally {
      session.close()
    }
  } finally {
    await miniflare.dispose()
  }
}

if (isMain("workerd-profile")) {
  const args = process.argv.slice(2)
  const contender = args.find((a) => !a.startsWith("--")) ?? "libsql edgealchemy"
  const top = Number(args.find((a) => a.startsWith("--top="))?.slice(6) ?? 30)
  const focus = args.find((a) => a.startsWith("--focus="))?.slice(8)
  const { summary, operations } = await profileInWorkerd(
    contender,
    Number(process.env.PROFILE_TURNS ?? 20),
    Number(process.env.WARMUP_TURNS ?? 3),
    Number(process.env.PER_TURN ?? 2_000),
  )
  printProfile(summary, operations, top, focus ? new RegExp(focus) : undefined)
}
