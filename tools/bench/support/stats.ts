// Order statistics for the benchmarks: medians and spreads over samples, and the interleaved runner
// that takes turns between contenders so that drift in a shared machine hits each of them alike.

/** The q-quantile (0..1) of `values`, by linear interpolation between the nearest ranks. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const at = (sorted.length - 1) * q
  const low = Math.floor(at)
  const high = Math.ceil(at)
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (at - low)
}

export const median = (values: readonly number[]) => quantile(values, 0.5)

/** Median with the interquartile range, the spread printed beside every figure. */
export interface Summary {
  readonly median: number
  readonly p25: number
  readonly p75: number
  readonly p90: number
  readonly samples: number
}

export function summarize(values: readonly number[]): Summary {
  return {
    median: quantile(values, 0.5),
    p25: quantile(values, 0.25),
    p75: quantile(values, 0.75),
    p90: quantile(values, 0.9),
    samples: values.length,
  }
}

/** `12.3 (11.9-12.8)`: the median and the interquartile range, in the unit of the values. */
export function formatSummary(summary: Summary, digits = 1): string {
  return `${summary.median.toFixed(digits)} (${summary.p25.toFixed(digits)}-${summary.p75.toFixed(digits)})`
}

export interface TimedContender {
  readonly name: string
  /** Runs once before each of this contender's turns, outside the timing (process-wide settings). */
  readonly enter?: () => void
  readonly leave?: () => void
  /** One operation; its wall time is what is measured. */
  readonly run: () => Promise<unknown>
}

export interface InterleaveOptions {
  /** Turns per contender whose times are kept. */
  readonly rounds: number
  /** Operations per turn: a turn's time divided by this is one sample. */
  readonly perTurn: number
  /** Rounds run first and thrown away (JIT warm-up). */
  readonly warmupRounds: number
}

export interface Interleaved {
  /** Per contender, one sample per round: wall milliseconds per operation. */
  readonly times: number[][]
  /** Per contender, one sample per round: the process's CPU milliseconds per operation. */
  readonly cpu: number[][]
  /** Per contender, the per-round ratios of its wall time to the first contender's. */
  readonly ratios: number[][]
  /** The same of CPU times. */
  readonly cpuRatios: number[][]
}

/**
 * Takes turns A B, B A, A B, ... (the first contender alternates, so neither always runs right after the
 * other), `perTurn` operations a turn; returns each contender's per-operation times in milliseconds,
 * one sample per round, wall and process CPU, and the per-round ratios of every contender to the first
 * (paired samples: a slow moment of the machine lands in both halves of a ratio). On a busy machine
 * the CPU figures are the steadier: time the process spends waiting for a core is not in them (time
 * of V8's helper threads, such as the concurrent garbage collector's, is).
 */
export async function interleave(
  contenders: readonly TimedContender[],
  options: InterleaveOptions,
): Promise<Interleaved> {
  const times = contenders.map(() => [] as number[])
  const cpu = contenders.map(() => [] as number[])
  for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
    const order = contenders.map((_, i) => i)
    if (round % 2 === 1) order.reverse()
    const perOp: number[] = []
    const cpuPerOp: number[] = []
    for (const i of order) {
      const contender = contenders[i] as TimedContender
      contender.enter?.()
      try {
        const cpuStarted = process.cpuUsage()
        const started = performance.now()
        for (let op = 0; op < options.perTurn; op++) await contender.run()
        perOp[i] = (performance.now() - started) / options.perTurn
        const used = process.cpuUsage(cpuStarted)
        cpuPerOp[i] = (used.user + used.system) / 1000 / options.perTurn
      } finally {
        contender.leave?.()
      }
    }
    if (round < options.warmupRounds) continue
    perOp.forEach((time, i) => {
      times[i]?.push(time)
      cpu[i]?.push(cpuPerOp[i] as number)
    })
  }
  const ratiosOf = (samples: number[][]) =>
    samples.map((own) => own.map((time, round) => time / (samples[0]?.[round] as number)))
  return { times, cpu, ratios: ratiosOf(times), cpuRatios: ratiosOf(cpu) }
}
