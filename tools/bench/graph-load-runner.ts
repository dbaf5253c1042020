// The graph-load benchmark's runner: contenders take turns run by run (so drift in the machine hits
// them alike), each load is checked against the others, and the medians are printed as a table with
// the ratios of edgealchemy to each other contender. See ./graph-load.ts for what the marks mean.
import type { Probe } from "./graph-load-hand.ts"
import { type CanonicalPost, PAGE_SIZE } from "./graph-load-models.ts"

import { BenchmarkError } from "./support/benchmark-error.ts"
import { median } from "./support/stats.ts"

export interface MeasureOptions {
  /** Loads per contender whose times are kept. */
  readonly runs: number
  /** Loads per contender run first and thrown away. */
  readonly warmup: number
}

/** A probe that also knows when the objects were ready (before any cleanup the load does). */
export interface Marks extends Probe {
  started: number
  built: number
}

export interface Contender {
  readonly name: string
  /** The stand-in's counting prefix for this contender's traffic. */
  readonly scope: string
  readonly load: (marks: Marks) => Promise<CanonicalPost[]>
  /** Puts process-wide driver settings in place for this contender (and takes them back). */
  readonly enter?: () => void
  readonly leave?: () => void
}

export interface Measured {
  readonly name: string
  readonly requests: number
  readonly statements: number
  readonly wall: number
  readonly build: number
  /** From the driver call to its answer: the request, the database, the driver's own parsing. */
  readonly driver: number
  readonly hydrate: number
}

async function statsOf(base: string, scope: string): Promise<{ httpRequests: number; statements: number }> {
  const response = await fetch(`${base}/s/${scope}/__stats`)
  if (!response.ok) throw new BenchmarkError(`GET ${base}/s/${scope}/__stats answered ${response.status}`)
  return (await response.json()) as { httpRequests: number; statements: number }
}

async function loadOnce(contender: Contender, marks: Marks): Promise<CanonicalPost[]> {
  marks.sent = marks.received = marks.built = Number.NaN
  contender.enter?.()
  try {
    marks.started = performance.now()
    return await contender.load(marks)
  } finally {
    contender.leave?.()
  }
}

/** Fails loudly unless every contender returns the same page, down to comment authors and tag names. */
function checkSame(results: readonly { name: string; posts: CanonicalPost[] }[]): CanonicalPost[] {
  const [first] = results
  if (!first || first.posts.length !== PAGE_SIZE)
    throw new BenchmarkError(`${first?.name} returned ${first?.posts.length} posts, not ${PAGE_SIZE}`)
  const expected = JSON.stringify(first.posts)
  for (const other of results.slice(1)) {
    const got = JSON.stringify(other.posts)
    if (got === expected) continue
    let at = 0
    while (expected[at] === got[at]) at++
    throw new BenchmarkError(
      `${other.name} and ${first.name} load different graphs; first difference at character ${at}:\n` +
        `  ${first.name}: ...${expected.slice(Math.max(0, at - 80), at + 80)}\n` +
        `  ${other.name}: ...${got.slice(Math.max(0, at - 80), at + 80)}`,
    )
  }
  return first.posts
}

export async function measure(
  database: string,
  statsBase: string,
  contenders: readonly Contender[],
  marks: Marks,
  { runs, warmup }: MeasureOptions,
): Promise<{ rows: Measured[]; graph: CanonicalPost[] }> {
  // One load each first, one after the other (they share the probe and the driver's global settings).
  const first: { name: string; posts: CanonicalPost[] }[] = []
  for (const c of contenders) first.push({ name: c.name, posts: await loadOnce(c, marks) })
  const graph = checkSame(first)
  const samples = contenders.map(() => ({
    wall: [] as number[],
    build: [] as number[],
    driver: [] as number[],
    hydrate: [] as number[],
  }))
  const before = await Promise.all(contenders.map((c) => statsOf(statsBase, c.scope)))
  for (let run = 0; run < warmup + runs; run++) {
    for (const [i, contender] of contenders.entries()) {
      await loadOnce(contender, marks)
      const ended = performance.now()
      if (![marks.sent, marks.received, marks.built].every(Number.isFinite))
        throw new BenchmarkError(`${contender.name} on ${database}: a probe mark is missing`)
      if (run < warmup) continue
      const sample = samples[i] as (typeof samples)[number]
      sample.wall.push(ended - marks.started)
      sample.build.push(marks.sent - marks.started)
      sample.driver.push(marks.received - marks.sent)
      sample.hydrate.push(marks.built - marks.received)
    }
  }
  const after = await Promise.all(contenders.map((c) => statsOf(statsBase, c.scope)))
  const total = warmup + runs
  const rows = contenders.map((contender, i) => {
    const sample = samples[i] as (typeof samples)[number]
    const b = before[i] as { httpRequests: number; statements: number }
    const a = after[i] as { httpRequests: number; statements: number }
    return {
      name: contender.name,
      requests: (a.httpRequests - b.httpRequests) / total,
      statements: (a.statements - b.statements) / total,
      wall: median(sample.wall),
      build: median(sample.build),
      driver: median(sample.driver),
      hydrate: median(sample.hydrate),
    }
  })
  return { rows, graph }
}

export function report(database: string, rows: readonly Measured[], { runs, warmup }: MeasureOptions): void {
  const ms = (n: number) => n.toFixed(3).padStart(9)
  const count = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2)).padStart(8)
  console.log(`\n${database}: median of ${runs} loads after ${warmup} warm-up, per load`)
  console.log("contender      requests  statements   wall ms  build CPU ms  driver ms  hydrate CPU ms")
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(13)} ${count(row.requests)}  ${count(row.statements).padStart(10)} ${ms(row.wall)}  ${ms(row.build).padStart(12)}  ${ms(row.driver)}  ${ms(row.hydrate).padStart(14)}`,
    )
  }
  const ours = rows.find((row) => row.name === "edgealchemy") as Measured
  for (const other of rows.filter((row) => row !== ours)) {
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`
    console.log(
      `edgealchemy / ${other.name}: wall ${ratio(ours.wall, other.wall)}, build CPU ${ratio(ours.build, other.build)}, ` +
        `hydrate CPU ${ratio(ours.hydrate, other.hydrate)}, build + hydrate CPU ${ratio(ours.build + ours.hydrate, other.build + other.hydrate)}`,
    )
  }
}
