import { describe, expect, it } from "vitest"
import { importedSpecifiers } from "../../tools/check-layers/imports.ts"
import { checkLayers } from "../../tools/check-layers/index.ts"
import { readProjectSources } from "../../tools/check-layers/project-sources.ts"

describe("layer rules of shared/DESIGN.md", () => {
  it("hold for the project's own sources", () => {
    const sources = readProjectSources(process.cwd())
    expect(sources.size).toBeGreaterThan(0)
    expect(checkLayers(sources)).toEqual([])
  })

  it("reject a Node import in src/, however it is spelled", () => {
    const violations = checkLayers(
      new Map([
        ["src/sql/a.ts", 'import { readFileSync } from "node:fs"\nexport const a = 1'],
        ["src/engine/b.ts", 'import type { Buffer } from "buffer"\nexport const b = 1'],
        ["src/util/c.ts", 'export const load = () => import("node:crypto")'],
      ]),
    )
    expect(violations.map((v) => [v.file, v.specifier])).toEqual([
      ["src/sql/a.ts", "node:fs"],
      ["src/engine/b.ts", "buffer"],
      ["src/util/c.ts", "node:crypto"],
    ])
  })

  it("reject imports that go up or across the layers", () => {
    const violations = checkLayers(
      new Map([
        ["src/sql/select.ts", 'import { Session } from "../orm/session.ts"'],
        ["src/dialects/sqlite/compiler.ts", 'import { pg } from "../postgresql/compiler.ts"'],
        ["src/drivers/neon/driver.ts", 'import { neon } from "@neondatabase/serverless"'],
        ["src/engine/engine.ts", 'import { createClient } from "@libsql/client"'],
        ["src/orm/x.ts", 'export { y } from "../../tools/neon-local/index.ts"'],
        [
          "worker/app.ts",
          'import { select } from "../src/sql/select.ts"\nimport { createEngine } from "../src/index.ts"',
        ],
        ["src/misc/z.ts", "export const z = 1"],
      ]),
    )
    expect(violations.map((v) => [v.file, v.specifier])).toEqual([
      ["src/sql/select.ts", "../orm/session.ts"],
      ["src/dialects/sqlite/compiler.ts", "../postgresql/compiler.ts"],
      ["src/engine/engine.ts", "@libsql/client"],
      ["src/orm/x.ts", "../../tools/neon-local/index.ts"],
      ["worker/app.ts", "../src/sql/select.ts"],
      ["src/misc/z.ts", ""],
    ])
  })

  it("read specifiers from code only, not from comments or strings", () => {
    const source = [
      "// import { a } from './commented.ts'",
      "/* export * from './block.ts' */",
      "const url = \"http://x/ import y from 'z'\"",
      "import type { T } from './types.ts'",
      'export { v } from "./values.ts"',
      "import './side-effect.ts'",
      "export * as ns from './namespace.ts'",
      "import {\n  a,\n  b,\n} from './multi-line.ts'",
    ].join("\n")
    expect(importedSpecifiers(source)).toEqual([
      "./types.ts",
      "./values.ts",
      "./side-effect.ts",
      "./namespace.ts",
      "./multi-line.ts",
    ])
  })
})
