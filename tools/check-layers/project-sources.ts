// Collects the TypeScript sources the layer rules apply to, keyed by project-relative path.
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"

const CHECKED_FOLDERS = ["src", "worker", "migrations"]

export function readProjectSources(root: string): Map<string, string> {
  const sources = new Map<string, string>()
  for (const folder of CHECKED_FOLDERS) {
    const path = join(root, folder)
    if (!existsSync(path)) continue
    for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.(ts|tsx|mts|js|mjs)$/.test(entry.name)) continue
      const file = join(entry.parentPath, entry.name)
      sources.set(relative(root, file).split("\\").join("/"), readFileSync(file, "utf8"))
    }
  }
  return sources
}
