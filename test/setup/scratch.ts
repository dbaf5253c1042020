// A scratch folder for one test file (embedded databases, built files), removed once the file's tests
// end: test runs leave nothing behind in the system's temp folder.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"

/** A new folder `<prefix>-XXXXXX` in the temp folder; call it at a file's top level or in a describe. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
