// `npx tsx tools/compat/fetch-suites.ts`: puts the official suites' files into tools/compat/suites/,
// each at its pinned content (suites.ts), from a clone of its repository: the named commit when there
// is one, otherwise the first version in the file's history whose SHA-256 matches. Needs git and
// access to the repositories; the LICENSE file of each repository goes beside its files.
import { execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { SUITES, type Suite, sha256, suitePath } from "./suites.ts"

function git(cwd: string, ...args: string[]): Buffer {
  return execFileSync("git", args, { cwd, maxBuffer: 64 * 1024 * 1024 })
}

function fetchSuite(suite: Suite): void {
  const clone = mkdtempSync(join(tmpdir(), `compat-${suite.name}-`))
  try {
    execFileSync("git", ["clone", "--quiet", "--filter=blob:none", "--no-checkout", suite.repository, clone])
    const place = (path: string, content: Buffer) => {
      mkdirSync(dirname(suitePath(suite, path)), { recursive: true })
      writeFileSync(suitePath(suite, path), content)
    }
    place("LICENSE", git(clone, "show", "HEAD:LICENSE"))
    for (const file of suite.files) {
      const candidates = file.commit
        ? [file.commit]
        : git(clone, "log", "--all", "--format=%H", "--", file.path).toString().split("\n").filter(Boolean)
      const match = candidates
        .map((commit) => git(clone, "show", `${commit}:${file.path}`))
        .find((content) => sha256(content) === file.sha256)
      if (!match) throw new Error(`${suite.repository}: no version of ${file.path} has the pinned SHA-256`)
      place(file.path, match)
      console.log(`${suite.folder}/${file.path}: pinned version placed`)
    }
  } finally {
    rmSync(clone, { recursive: true, force: true })
  }
}

for (const suite of SUITES) fetchSuite(suite)
