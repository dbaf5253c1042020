// Every file of this repository that README.md names exists. It named `shared/BLOG_API.md` for the
// blog's HTTP API and "the design notes" for the layer rules, neither of which the repository holds (they
// are the project's own notes, outside it): a newcomer found nothing there. The README now lists the
// blog's routes itself and points at tools/check-layers/rules.ts.
import { existsSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { expect, it } from "vitest"

const ROOT = resolve(import.meta.dirname, "../..")

/**
 * Paths the README names in the reader's own project, or made by running it, and names relative to a
 * folder named beside them (`errors.ts` of src/, the `.d.ts` files of dist/): not files of this one.
 */
const NOT_OURS = new Set([
  "src/models.ts",
  "src/worker.ts",
  ".data/blog.db",
  "./models.ts",
  "./models.js",
  ".d.ts",
  "errors.ts",
])

it("names only files and folders the repository has", () => {
  const prose = readFileSync(join(ROOT, "README.md"), "utf8").replace(/```[\s\S]*?```/g, "")
  const named = [...prose.matchAll(/`([^`\s]+)`/g)].map((match) => match[1] as string)
  const paths = named.filter(
    (token) =>
      /^[\w.-]+(\/[\w.-]+)*\/?$/.test(token) &&
      !/^(edgealchemy|hono)\//.test(token) &&
      (/\.(ts|md|json|toml|example)$/.test(token) ||
        /^(src|test|tools|worker|examples|cli|migrations|docs|shared)\//.test(token)),
  )
  expect(paths.length).toBeGreaterThan(20)
  expect(paths.filter((path) => !NOT_OURS.has(path) && !existsSync(join(ROOT, path)))).toEqual([])
  expect(prose).not.toMatch(/design notes/)
})
