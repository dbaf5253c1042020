// Checks the import graph of `src/`, `worker/` and `migrations/` against the layer rules. Run by the
// test suite (test/node/layers.test.ts) and by `npm run lint`.
import { importedSpecifiers } from "./imports.ts"
import { type Layer, layerOf, MAY_IMPORT, MAY_IMPORT_PACKAGES } from "./rules.ts"

export interface Violation {
  file: string
  specifier: string
  reason: string
}

/** `sources` maps project-relative paths (`src/sql/select.ts`) to their text. */
export function checkLayers(sources: ReadonlyMap<string, string>): Violation[] {
  const violations: Violation[] = []
  for (const [file, source] of sources) {
    const layer = layerOf(file)
    if (!layer) {
      violations.push({ file, specifier: "", reason: "is in no layer of shared/DESIGN.md; move it into one" })
      continue
    }
    for (const specifier of importedSpecifiers(source)) {
      const reason = judge(file, layer, specifier)
      if (reason) violations.push({ file, specifier, reason })
    }
  }
  return violations
}

export function formatViolations(violations: readonly Violation[]): string {
  return violations
    .map((v) => `${v.file}: ${v.specifier ? `imports "${v.specifier}", which ` : ""}${v.reason}`)
    .join("\n")
}

function judge(file: string, layer: Layer, specifier: string): string | undefined {
  if (specifier.startsWith("node:") || NODE_BUILTINS.has(specifier.split("/")[0] ?? "")) {
    return "is a Node module; code that runs in workerd uses web APIs only"
  }
  if (specifier.startsWith(".")) return judgeRelative(file, layer, specifier)
  if (specifier.startsWith("cloudflare:")) return undefined
  const allowed = MAY_IMPORT_PACKAGES[layer] ?? []
  if (
    allowed.some((name) => specifier === name || specifier.startsWith(name.endsWith("/") ? name : `${name}/`))
  ) {
    return undefined
  }
  return `is a package the ${layer} layer may not import (allowed: ${allowed.join(", ") || "none"})`
}

function judgeRelative(file: string, layer: Layer, specifier: string): string | undefined {
  const target = resolve(file, specifier)
  const targetLayer = layerOf(target)
  if (!targetLayer)
    return `reaches ${target}, outside the library's layers (tools/ and test/ are never imported)`
  if (targetLayer === layer || MAY_IMPORT[layer].includes(targetLayer)) return undefined
  return `reaches the ${targetLayer} layer, which ${layer} may not import (allowed: ${MAY_IMPORT[layer].join(", ") || "none"})`
}

/** Joins a relative specifier onto the importing file's folder, as a project-relative path. */
function resolve(file: string, specifier: string): string {
  const parts = file.split("/").slice(0, -1)
  for (const segment of specifier.split("/")) {
    if (segment === "..") parts.pop()
    else if (segment !== ".") parts.push(segment)
  }
  return parts.join("/")
}

const NODE_BUILTINS = new Set([
  "assert",
  "buffer",
  "child_process",
  "crypto",
  "events",
  "fs",
  "http",
  "https",
  "net",
  "os",
  "path",
  "process",
  "stream",
  "tls",
  "url",
  "util",
  "worker_threads",
  "zlib",
])
