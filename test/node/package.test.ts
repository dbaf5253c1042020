// The published package: every entry point of package.json `exports` is built to ESM with types, the
// tarball holds the built CLI and none of the repository's own code. (Installing the packed tarball and
// running the migrate CLI from it: packed-package.test.ts.)
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, posix } from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type MetaData, postgresql, sqlite } from "../../src/index.ts"
import { compareSchemas, schemaOfMetadata, writeRevision } from "../../src/migrate.ts"

interface ExportTarget {
  "edgealchemy-source": string
  types: string
  default: string
}

const manifest = JSON.parse(readFileSync("package.json", "utf8")) as {
  exports: Record<string, ExportTarget>
  bin: Record<string, string>
  files: string[]
  scripts: Record<string, string>
}
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

  it("ships the built CLI behind its bin, the local endpoints, and neither the CLI's sources nor the repository's apps", () => {
    const [packed] = JSON.parse(
      execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"]).toString(),
    ) as [{ files: { path: string }[] }]
    const files = packed.files.map((file) => file.path)
    expect(files).toEqual(expect.arrayContaining(["cli/edgealchemy.mjs", "src/migrate.ts"]))
    expect(files.filter((file) => file.startsWith("cli/"))).toEqual(["cli/edgealchemy.mjs"])
    expect(
      files.filter(
        (file) => /^(test|worker|examples|migrations)\//.test(file) || file === "package-lock.json",
      ),
    ).toEqual([])
    // `npx edgealchemy libsql-local` and `neon-local` run these (serde-json.ts reads their request bodies, request-timeouts.ts and socket-limits.ts bound them); the rest of tools/ is this repository's.
    const tools = files.filter((file) => file.startsWith("tools/"))
    expect(
      tools.filter(
        (file) =>
          !/^tools\/(faults\.ts|serde-json\.ts|request-timeouts\.ts|socket-limits\.ts|(libsql|neon)-local\/[\w-]+\.(ts|cjs))$/.test(
            file,
          ),
      ),
    ).toEqual([])
    // Each file they import is packed too: a helper beside them left out of `files` let the installed
    // endpoints fail to start (ERR_MODULE_NOT_FOUND), which only the slow packed-package test showed.
    for (const file of tools.filter((path) => path.endsWith(".ts"))) {
      for (const [, imported] of readFileSync(file, "utf8").matchAll(/from "(\.{1,2}\/[^"]+)"/g)) {
        expect(files, `${file} imports ${imported}`).toContain(
          posix.join(posix.dirname(file), imported as string),
        )
      }
    }
    expect(tools).toEqual(
      expect.arrayContaining([
        "tools/libsql-local/cli.ts",
        "tools/libsql-local/connection-worker.cjs",
        "tools/neon-local/cli.ts",
      ]),
    )
    expect(manifest.bin.edgealchemy).toBe("./cli/edgealchemy.mjs")
    expect(manifest.files).toEqual(expect.arrayContaining(["dist", "cli/edgealchemy.mjs"]))
    expect(manifest.scripts.prepack).toBe("npm run build")
  })

  it("points each entry at its source under the edgealchemy-source condition, first, for this checkout", () => {
    for (const [entry, target] of Object.entries(manifest.exports)) {
      expect(Object.keys(target)[0], entry).toBe("edgealchemy-source")
      expect(target["edgealchemy-source"]).toBe(target.default.replace(/^\.\/dist\/(.*)\.js$/, "./src/$1.ts"))
      expect(existsSync(target["edgealchemy-source"]), entry).toBe(true)
    }
  })

  it("autogenerates from models built with another copy of the package (types told by shape)", async () => {
    const other = (await import(
      pathToFileURL(join(outDir, "index.js")).href
    )) as typeof import("../../src/index.ts")
    const metadata = new other.MetaData()
    other.table(
      "notes",
      {
        id: other.column(other.Integer, { primaryKey: true }),
        title: other.column(other.String(50), { serverDefault: "draft" }),
        at: other.column(other.DateTime, { serverDefault: other.func.now() }),
      },
      { metadata },
    )
    for (const dialect of [postgresql, sqlite]) {
      const changes = compareSchemas(new Map(), schemaOfMetadata(metadata as unknown as MetaData, dialect))
      const source = writeRevision({ id: "0123456789ab", parent: null, message: "notes", changes })
      expect(source).toContain('{ name: "title", type: String(50), default: "draft" },')
      expect(source).toContain('{ name: "at", type: DateTime, default: func.now() },')
    }
  })

  it("exports the error hierarchy from the main entry", async () => {
    const main = (await import(pathToFileURL(join(outDir, "index.js")).href)) as Record<string, unknown>
    expect(Object.keys(main)).toEqual(
      expect.arrayContaining(["IntegrityError", "StaleDataError", "NotLoadedError"]),
    )
  })
})
