// V8 CPU profiles (the `.cpuprofile` of `node --cpu-prof` and of the inspector's Profiler), summarized:
// self time by function and by file, and inclusive time by function (each function counted once per
// stack, so recursion does not count twice), as shares of the profile's time.
import { findSourceMap, type SourceMap } from "node:module"
import { relative } from "node:path"
import { fileURLToPath } from "node:url"

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
  columnNumber: number
}

export interface CpuProfile {
  nodes: {
    id: number
    callFrame: CallFrame
    children?: number[]
  }[]
  samples: number[]
  timeDeltas: number[]
}

export interface Cost {
  /** `file:function:line`, the file relative to the repository (or the runtime's own name). */
  readonly where: string
  readonly micros: number
  readonly share: number
}

export interface ProfileSummary {
  readonly totalMicros: number
  readonly selfByFunction: Cost[]
  readonly selfByFile: Cost[]
  readonly inclusiveByFunction: Cost[]
}

const ROOT = fileURLToPath(new URL("../../../", import.meta.url))

function fileOf(url: string): string {
  if (!url) return "(native)"
  const path = url.startsWith("file://") ? fileURLToPath(url) : url
  return path.startsWith(ROOT) ? relative(ROOT, path) : path
}

const IDLE = new Set(["(idle)", "(program)", "(garbage collector)", "(root)"])

/**
 * Where a frame's code came from: through the bundle's source map when the profile is of a bundle
 * (../bundled.ts runs node with --enable-source-maps, which keeps the maps), else as the frame says.
 */
function originalOf(
  frame: CallFrame,
  mapOf: (url: string) => SourceMap | undefined,
): { url: string; lineNumber: number } {
  const map = mapOf(frame.url)
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber) as
    | { originalSource?: string; originalLine?: number }
    | undefined
  if (!entry?.originalSource) return frame
  const url = entry.originalSource.startsWith("file://")
    ? entry.originalSource
    : `file://${entry.originalSource}`
  return { url, lineNumber: entry.originalLine ?? frame.lineNumber }
}

/** The source map Node keeps for a file it loaded (../bundled.ts runs node with --enable-source-maps). */
const nodeSourceMap = (url: string) =>
  url.startsWith("file://") ? findSourceMap(fileURLToPath(url)) : undefined

/** `mapOf` finds the source map of a frame's script (a bundle run elsewhere, as in workerd, brings its own). */
export function summarizeProfile(
  profile: CpuProfile,
  mapOf: (url: string) => SourceMap | undefined = nodeSourceMap,
): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const origins = new Map<number, { url: string; lineNumber: number }>()
  const originOf = (id: number) => {
    let origin = origins.get(id)
    if (!origin) {
      origin = originalOf((byId.get(id) as CpuProfile["nodes"][number]).callFrame, mapOf)
      origins.set(id, origin)
    }
    return origin
  }
  const keyOf = (id: number) => {
    const name = (byId.get(id) as CpuProfile["nodes"][number]).callFrame.functionName || "(anonymous)"
    if (IDLE.has(name)) return name
    const { url, lineNumber } = originOf(id)
    const bundled = url !== (byId.get(id) as CpuProfile["nodes"][number]).callFrame.url
    // tsx's transform does not keep line numbers of TypeScript files: their functions go by name alone
    // (a bundle's source map gives them).
    return url.endsWith(".ts") && !bundled
      ? `${fileOf(url)}:${name}`
      : `${fileOf(url)}:${name}:${lineNumber + 1}`
  }
  const self = new Map<string, number>()
  const selfFile = new Map<string, number>()
  const inclusive = new Map<string, number>()
  let total = 0
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0
    const key = keyOf(id)
    if (key === "(idle)") return
    total += delta
    self.set(key, (self.get(key) ?? 0) + delta)
    const file = IDLE.has(key) ? key : fileOf(originOf(id).url)
    selfFile.set(file, (selfFile.get(file) ?? 0) + delta)
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = keyOf(at)
      if (seen.has(frame) || frame === "(root)") continue
      seen.add(frame)
      inclusive.set(frame, (inclusive.get(frame) ?? 0) + delta)
    }
  })
  const ranked = (costs: Map<string, number>) =>
    [...costs]
      .map(([where, micros]) => ({ where, micros, share: micros / total }))
      .sort((a, b) => b.micros - a.micros)
  return {
    totalMicros: total,
    selfByFunction: ranked(self),
    selfByFile: ranked(selfFile),
    inclusiveByFunction: ranked(inclusive),
  }
}

/** Prints the top `top` costs of each table, as shares and as microseconds per operation. */
export function printProfile(summary: ProfileSummary, operations: number, top: number, focus?: RegExp): void {
  const line = (cost: Cost) =>
    `  ${(cost.share * 100).toFixed(1).padStart(5)}%  ${(cost.micros / operations).toFixed(2).padStart(8)} µs/op  ${cost.where}`
  const pick = (costs: Cost[]) =>
    (focus ? costs.filter((cost) => focus.test(cost.where)) : costs).slice(0, top)
  console.log(
    `profile: ${(summary.totalMicros / 1000).toFixed(1)} ms sampled (idle left out), ${(summary.totalMicros / operations).toFixed(1)} µs per operation`,
  )
  console.log(`self time by file${focus ? ` (matching ${focus})` : ""}`)
  for (const cost of pick(summary.selfByFile)) console.log(line(cost))
  console.log("self time by function")
  for (const cost of pick(summary.selfByFunction)) console.log(line(cost))
  console.log("inclusive time by function (callees included)")
  for (const cost of pick(summary.inclusiveByFunction)) console.log(line(cost))
}
