// The published package: every entry point of package.json `exports` is built to ESM with types.
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

interface ExportTarget {
  types: string
  default: string
}

const manifest = JSON.parse(readFileSync("package.json", "utf8")) as { exports: Record<string, ExportTarget> }
const outDir = mkdtempSync(join(tmpdir(), "edgealchemy-build-"))

describe("package build", () => {
  beforeAll(() => {
    execFileSync("node_modules/.bin/tsc", ["-p", "tsconfig.build.json", "--outDir", outDir])
  }, 60_000)
  afterAll(() => rmSync(outDir, { recursive: true, force: true }))

  it("names the entry points of the design", () => {
    expect(Object.keys(manifest.exports).sort()).toEqual([
      ".",
      "./hono",
      "./libsql",
      "./libsql-node",
      "./migrate",
      "./neon",
    ])
  })

  it.each(Object.entries(manifest.exports))(
    "builds %s as importable ESM with declarations",
    async (_, target) => {
      const built = (path: string) => join(outDir, path.replace(/^\.\/dist\//, ""))
      expect(existsSync(built(target.types))).toBe(true)
      const module: unknown = await import(pathToFileURL(built(target.default)).href)
      expect(typeof module).toBe("object")
    },
  )

  it("ships the migrate CLI with the sources it runs, and points bin at it", () => {
    const [packed] = JSON.parse(
      execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"]).toString(),
    ) as [{ files: { path: string }[] }]
    const files = packed.files.map((file) => file.path)
    expect(files).toEqual(expect.arrayContaining(["cli/edgealchemy.mjs", "cli/main.ts", "src/migrate.ts"]))
    expect(files.some((file) => file.startsWith("test/") || file.startsWith("worker/"))).toBe(false)
    expect((manifest as unknown as { bin: Record<string, string> }).bin.edgealchemy).toBe(
      "./cli/edgealchemy.mjs",
    )
  })

  it("exports the error hierarchy from the main entry", async () => {
    const main = (await import(pathToFileURL(join(outDir, "index.js")).href)) as Record<string, unknown>
    expect(Object.keys(main)).toEqual(
      expect.arrayContaining(["IntegrityError", "StaleDataError", "NotLoadedError"]),
    )
  })
})
