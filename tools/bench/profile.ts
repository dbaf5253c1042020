// `npx tsx tools/bench/profile.ts [neon|libsql] [get|graph] [contender] [--top=N] [--focus=REGEX]`
// (`npm run bench:profile -- libsql get edgealchemy`): one contender of ./engine-overhead.ts run over
// replayed driver answers (no I/O) for PROFILE_MS (default 3,000) ms after a warm-up, with V8's sampling
// profiler on for the timed part only; prints the summary (self and inclusive time by function and by
// file) and writes the profile to .profiles/ for Chrome DevTools or speedscope. Contenders: "raw
// driver", "raw driver, client per call" (get), "raw driver, hand-written" (graph), "edgealchemy",
// "drizzle".
import { mkdirSync, writeFileSync } from "node:fs"
import { Session } from "node:inspector/promises"
import { withRecordedOperations } from "./engine-overhead.ts"
import { BenchmarkError } from "./support/benchmark-error.ts"
import { type CpuProfile, printProfile, summarizeProfile } from "./support/cpu-profile.ts"

const [database = "neon", kind = "get", contenderName = "edgealchemy"] = process.argv
  .slice(2)
  .filter((arg) => !arg.startsWith("--"))
const top = Number(/--top=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 30)
const focusArg = /--focus=(\S+)/.exec(process.argv.join(" "))?.[1]
const profileMs = Number(process.env.PROFILE_MS ?? 3_000)

await withRecordedOperations(async (operations) => {
  const operation = operations.find(
    (op) => op.kind === kind && op.database === (database === "neon" ? "Neon HTTP" : "libSQL HTTP"),
  )
  const contender = operation?.contenders.find((c) => c.name === contenderName)
  if (!operation || !contender) {
    throw new BenchmarkError(
      `No ${database} ${kind} operation with a contender "${contenderName}"; contenders: ${operation?.contenders.map((c) => c.name).join(", ")}`,
    )
  }
  const session = new Session()
  session.connect()
  contender.enter?.()
  try {
    const warmUntil = performance.now() + 1_000
    while (performance.now() < warmUntil) await contender.run()
    await session.post("Profiler.enable")
    await session.post("Profiler.setSamplingInterval", { interval: 50 })
    await session.post("Profiler.start")
    let operationsRun = 0
    const started = performance.now()
    while (performance.now() - started < profileMs) {
      await contender.run()
      operationsRun++
    }
    const elapsed = performance.now() - started
    const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: CpuProfile }
    mkdirSync(".profiles", { recursive: true })
    const file = `.profiles/${database}-${kind}-${contenderName.replace(/\W+/g, "-")}.cpuprofile`
    writeFileSync(file, JSON.stringify(profile))
    console.log(
      `${operation.database}, ${operation.operation}, ${contender.name}: ${operationsRun} operations in ` +
        `${elapsed.toFixed(0)} ms, ${((elapsed / operationsRun) * 1000).toFixed(1)} µs each (profiler on); ${file}`,
    )
    printProfile(summarizeProfile(profile), operationsRun, top, focusArg ? new RegExp(focusArg) : undefined)
  } finally {
    contender.leave?.()
    session.disconnect()
  }
})
