// `npm run bench:workerd`: `session.get`'s CPU against the raw driver's in workerd, the runtime Workers
// run on (bench:cpu measures in Node, whose fetch, streams and AbortSignal are JavaScript of their own).
// Each contender (./get-contenders/contenders.ts) runs once in Node against the local endpoints, its answers recorded;
// then workerd (Miniflare) runs each many times over its recording (./get-contenders/worker.ts), no I/O. workerd's
// clocks stand still while a request runs, so the time is read from outside: the CPU time of workerd's
// threads (/proc/PID/task/*/schedstat, nanoseconds) around each turn. Contenders take turns (A B, B A,
// ...); a sample is a turn's CPU time divided by its operations; ratios are paired per round.
// Knobs: ROUNDS (default 40), WARMUP_ROUNDS (5), PER_TURN (2,000). Linux only (/proc).
import { execFileSync } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { build } from "esbuild"
import { Miniflare } from "miniflare"
import { checkRead, GET_CONTENDERS } from "./get-contenders/contenders.ts"
import { recordContenders } from "./get-contenders/recording.ts"
import { BenchmarkError } from "./support/benchmark-error.ts"
import { isMain } from "./support/main.ts"
import { formatSummary, type Summary, summarize } from "./support/stats.ts"

export interface WorkerdOptions {
  readonly rounds: number
  readonly warmupRounds: number
  readonly perTurn: number
}

export interface WorkerdFigures {
  readonly database: "Neon HTTP" | "libSQL HTTP"
  readonly contenders: readonly { name: string; cpuMicros: Summary; ratio: Summary }[]
}

// As in wrangler.toml: the newest date this workerd accepts is 2026-05-03.
const COMPATIBILITY_DATE = "2026-04-01"

/** The worker, bundled as wrangler bundles one; with `sourceMap`, its source map too (as JSON). */
export async function workerBundle(sourceMap = false): Promise<{ code: string; map?: string }> {
  const bundle = await build({
    entryPoints: [join(import.meta.dirname, "get-contenders/worker.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    // The benchmark's models read knobs from the environment, which workerd does not have.
    define: { "process.env": "{}" },
    ...(sourceMap ? { sourcemap: "external" as const, outfile: "worker.js" } : {}),
    write: false,
    logLevel: "warning",
  })
  const code = bundle.outputFiles.find((file) => !file.path.endsWith(".map"))?.text ?? ""
  const map = bundle.outputFiles.find((file) => file.path.endsWith(".map"))?.text
  return map ? { code, map } : { code }
}

/** The workerd processes this process started (Miniflare's), and their threads' CPU time in ns. */
function workerdCpu(): () => number {
  const table = execFileSync("ps", ["-eo", "pid=,ppid=,comm="], { encoding: "utf8" })
  const processes = table
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, ppid, comm]) => ({ pid: Number(pid), ppid: Number(ppid), comm }))
  const ours = new Set([process.pid])
  for (let grew = true; grew; ) {
    grew = false
    for (const p of processes) {
      if (ours.has(p.ppid) && !ours.has(p.pid)) {
        ours.add(p.pid)
        grew = true
      }
    }
  }
  const workerd = processes.filter((p) => ours.has(p.pid) && p.comm === "workerd").map((p) => p.pid)
  if (workerd.length === 0) throw new BenchmarkError("no workerd process found among this process's children")
  return () => {
    let ns = 0
    for (const pid of workerd) {
      for (const task of readdirSync(`/proc/${pid}/task`)) {
        try {
          ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0])
        } catch {
          // A thread that ended since the listing: its time is gone with it.
        }
      }
    }
    return ns
  }
}

export async function runWorkerdCpu(options: WorkerdOptions): Promise<WorkerdFigures[]> {
  const { tapes, read } = await recordContenders()
  const miniflare = new Miniflare({
    modules: [{ type: "ESModule", path: "worker.js", contents: (await workerBundle()).code }],
    compatibilityDate: COMPATIBILITY_DATE,
    host: "127.0.0.1",
    port: 0,
    cf: false,
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
    for (const { names } of GET_CONTENDERS) {
      for (const name of names) {
        checkRead(name, names[0], read, await call(`/check?contender=${encodeURIComponent(name)}`))
      }
    }
    const cpu = workerdCpu()
    const figures: WorkerdFigures[] = []
    for (const { database, names } of GET_CONTENDERS) {
      const samples = names.map(() => [] as number[])
      for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
        const order = names.map((_, i) => i)
        if (round % 2 === 1) order.reverse()
        const perOp: number[] = []
        for (const i of order) {
          const before = cpu()
          await call(`/run?contender=${encodeURIComponent(names[i] as string)}&times=${options.perTurn}`)
          perOp[i] = (cpu() - before) / 1000 / options.perTurn
        }
        if (round < options.warmupRounds) continue
        for (const [i, micros] of perOp.entries()) samples[i]?.push(micros)
      }
      const baseline = samples[0] as number[]
      figures.push({
        database,
        contenders: names.map((name, i) => ({
          name,
          cpuMicros: summarize(samples[i] as number[]),
          ratio: summarize(
            (samples[i] as number[]).map((micros, round) => micros / (baseline[round] as number)),
          ),
        })),
      })
    }
    return figures
  } finally {
    await miniflare.dispose()
  }
}

export function printWorkerdCpu(figures: readonly WorkerdFigures[], options: WorkerdOptions): void {
  console.log(
    `session.get in workerd: CPU of workerd's threads per operation, median (interquartile range) of ` +
      `${options.rounds} rounds after ${options.warmupRounds} warm-up, ${options.perTurn} operations a turn; ` +
      "contenders interleaved, ratios paired per round. Driver answers replayed: no I/O.",
  )
  for (const figure of figures) {
    console.log(`\n${figure.database}`)
    for (const c of figure.contenders) {
      const { median, p25, p75 } = c.ratio
      console.log(
        `  ${c.name.padEnd(36)} ${formatSummary(c.cpuMicros).padEnd(22)} µs  ${median.toFixed(2)}x (${p25.toFixed(2)}-${p75.toFixed(2)})`,
      )
    }
  }
}

if (isMain("workerd-cpu")) {
  const options: WorkerdOptions = {
    rounds: Number(process.env.ROUNDS ?? 40),
    warmupRounds: Number(process.env.WARMUP_ROUNDS ?? 5),
    perTurn: Number(process.env.PER_TURN ?? 2_000),
  }
  printWorkerdCpu(await runWorkerdCpu(options), options)
}
