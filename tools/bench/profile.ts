// `npx tsx tools/bench/profile.ts [neon|libsql] [get|graph] [contender] [--top=N] [--focus=REGEX]`
// (`npm run bench:profile -- libsql get edgealchemy`): one contender of ./engine-overhead.ts run over
// replayed driver answers (no I/O) for PROFILE_MS (default 3,000) ms after a 1 s warm-up, with V8's sampling
// profiler on for the timed part only; prints the summary (self and inclusive time by function and by
// file) and writes the profile to $TMPDIR/edgealchemy-profiles/ for Chrome DevTools or speedscope. Contenders: "raw
// driver", "raw driver, client per call" (get), "raw driver, hand-written" (graph), "edgealchemy",
// "drizzle".
import { mkdirSync, writeFileSync } from "node:fs"
import { Session } from "node:inspector/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { withRecordedOperations } from "./engine-overhead.ts"
import { BenchmarkError } from "./support/benchmark-error.ts"
import {
  type CpuProfile,
  type ProfileSummary,
  printProfile,
  summarizeProfile,
} from "./support/cpu-profile.ts"
import { isMain } from "./support/main.ts"

export interface ProfileOptions {
  readonly database: "neon" | "libsql"
  readonly kind: "get" | "graph"
  readonly contender: string
  /** How long the profiled loop runs, after a warm-up of `warmupMs`. */
  readonly profileMs: number
  readonly warmupMs: number
}

export interface ProfileResult {
  readonly operations: number
  readonly summary: ProfileSummary
  readonly file: string
}

/** Runs one contender's operation over replayed answers with the profiler on; writes the profile. */
export async function runProfile(options: ProfileOptions): Promise<ProfileResult> {
  return withRecordedOperations(async (operations) => {
    const database = options.database === "neon" ? "Neon HTTP" : "libSQL HTTP"
    const operation = operations.find((op) => op.kind === options.kind && op.database === database)
    const contender = operation?.contenders.find((c) => c.name === options.contender)
    if (!operation || !contender) {
      throw new BenchmarkError(
        `No ${database} ${options.kind} operation with a contender "${options.contender}"; contenders: ${operation?.contenders.map((c) => c.name).join(", ")}`,
      )
    }
    const session = new Session()
    session.connect()
    contender.enter?.()
    try {
      const warmUntil = performance.now() + options.warmupMs
      while (performance.now() < warmUntil) await contender.run()
      await session.post("Profiler.enable")
      await session.post("Profiler.setSamplingInterval", { interval: 50 })
      await session.post("Profiler.start")
      let operationsRun = 0
      const started = performance.now()
      while (performance.now() - started < options.profileMs) {
        await contender.run()
        operationsRun++
      }
      const elapsed = performance.now() - started
      const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: CpuProfile }
      const folder = join(tmpdir(), "edgealchemy-profiles")
      mkdirSync(folder, { recursive: true })
      const file = `${folder}/${options.database}-${options.kind}-${options.contender.replace(/\W+/g, "-")}.cpuprofile`
      writeFileSync(file, JSON.stringify(profile))
      console.log(
        `${operation.database}, ${operation.operation}, ${contender.name}: ${operationsRun} operations in ` +
          `${elapsed.toFixed(0)} ms, ${((elapsed / operationsRun) * 1000).toFixed(1)} µs each (profiler on); ${file}`,
      )
      return { operations: operationsRun, summary: summarizeProfile(profile), file }
    } finally {
      contender.leave?.()
      session.disconnect()
    }
  })
}

if (isMain("profile")) {
  const [database = "neon", kind = "get", contender = "edgealchemy"] = process.argv
    .slice(2)
    .filter((arg) => !arg.startsWith("--"))
  const top = Number(/--top=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 30)
  const focus = /--focus=(\S+)/.exec(process.argv.join(" "))?.[1]
  if ((database !== "neon" && database !== "libsql") || (kind !== "get" && kind !== "graph"))
    throw new BenchmarkError("usage: profile.ts [neon|libsql] [get|graph] [contender]")
  const result = await runProfile({
    database,
    kind,
    contender,
    profileMs: Number(process.env.PROFILE_MS ?? 3_000),
    warmupMs: 1_000,
  })
  printProfile(result.summary, result.operations, top, focus ? new RegExp(focus) : undefined)
}
