// Whether a benchmark module is the one node was asked to run. Compared by name, not by URL: in a
// bundle (../bundled.ts) every module has the bundle's URL, and a benchmark that imports another
// (profile.ts imports engine-overhead.ts) must not run both.
import { basename } from "node:path"

/** True when the script node runs is `<name>.ts` (from source) or `<name>.mjs` (its bundle). */
export function isMain(name: string): boolean {
  return basename(process.argv[1] ?? "").replace(/\.(ts|mjs)$/, "") === name
}
