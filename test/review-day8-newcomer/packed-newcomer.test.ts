// The newcomer's path through the packed package (`npm pack`, installed in a scratch app with the peers).
//
// 1. A project whose tsconfig.json is what `tsc --init` writes has `declaration: true`; the README's
//    models.ts did not compile there: "The inferred type of 'User' cannot be named without a reference
//    to 'RelationshipSpec' from '.../dist/orm/relationship.js'" (TS2883), and so for an exported
//    subquery (NamedColumns), a label (Label), a bulk update() or deleteFrom() of a model (ColumnsOf).
//    Those types are now exported from the entry point, as types only (no bytes in any bundle).
// 2. createEngine() of one entry point given the other database's URL said `import { neon } from
//    "edgealchemy/neon" and pass { driver: neon() }`, which the entry point's createEngine does not take
//    (its options omit `driver`): the advice did not compile. It now names the entry point whose
//    createEngine takes the URL, which does. An unset URL (a Worker whose DATABASE_URL binding is
//    missing) said "No driver for an empty URL" and listed URL schemes; it now says the URL is
//    undefined and asks whether its binding is set.
// 3. The README's wrangler.toml for the Turso Worker bundles that Worker from the installed package.
import { execFile } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, expect, it } from "vitest"
import { INSTALL_LIMIT_MS, installPackedApp, type PackedApp, TOOL_LIMIT_MS } from "../node/packed-app.ts"

const ROOT = resolve(import.meta.dirname, "../..")
const EXAMPLES = join(ROOT, "examples")
const run = promisify(execFile)

const work = mkdtempSync(join(tmpdir(), "ea-r8nc-"))
let app: PackedApp

beforeAll(async () => {
  app = await installPackedApp(ROOT, work, [
    "@libsql/client",
    "@neondatabase/serverless",
    "@types/node",
    "hono",
  ])
}, INSTALL_LIMIT_MS)
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Module code an app exports: what a models or queries module of a project shares with the others. */
const EXPORTED_SHAPES = `import { aliased, deleteFrom, func, literal, select, update } from "edgealchemy"
import { Post, User } from "./models.ts"

export const postCounts = select(User.id, func.count(Post.id).label("posts"))
  .join(User.posts)
  .groupBy(User.id)
  .subquery("post_counts")
export const named = User.username.label("name")
export const five = literal(5)
export const retitle = update(Post).where(Post.id.eq(1)).values({ title: "New" })
export const purge = deleteFrom(Post).where(Post.published.eq(false))
export const boss = aliased(User)
export const recent = select(Post).where(Post.published.eq(true)).cte("recent")
`

it("a project with tsc --init's settings (declaration: true) compiles the README's models and exports queries", {
  timeout: TOOL_LIMIT_MS,
}, async () => {
  const project = join(app.dir, "init-project")
  mkdirSync(join(project, "migrations"), { recursive: true })
  cpSync(join(EXAMPLES, "edgealchemy.config.ts"), join(project, "edgealchemy.config.ts"))
  cpSync(join(EXAMPLES, "src"), join(project, "src"), { recursive: true })
  for (const file of readdirSync(join(EXAMPLES, "migrations")))
    cpSync(join(EXAMPLES, "migrations", file), join(project, "migrations", file))
  writeFileSync(join(project, "src/queries.ts"), EXPORTED_SHAPES)
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        // What `tsc --init` (TypeScript 7) writes, with the README's additions (lib, the .ts imports).
        module: "nodenext",
        target: "esnext",
        lib: ["esnext"],
        types: ["node"],
        sourceMap: true,
        declaration: true,
        declarationMap: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        strict: true,
        verbatimModuleSyntax: true,
        isolatedModules: true,
        noUncheckedSideEffectImports: true,
        moduleDetection: "force",
        skipLibCheck: true,
        allowImportingTsExtensions: true,
        noEmit: true,
      },
      include: ["edgealchemy.config.ts", "src/*.ts", "migrations/*.ts"],
    }),
  )
  const output = await run(join(ROOT, "node_modules/.bin/tsc"), ["-p", project]).then(
    () => "",
    (error: { stdout?: string }) => error.stdout ?? String(error),
  )
  expect(output).toBe("")
})

it("createEngine names the entry point whose createEngine takes a URL, and that advice works", {
  timeout: TOOL_LIMIT_MS,
}, async () => {
  const script = `
    import { createEngine as neon } from "edgealchemy/neon"
    import { createEngine as libsql } from "edgealchemy/libsql"
    const refusals = []
    for (const make of [
      () => libsql("postgresql://app:secret@ep-x.eu-central-1.aws.neon.tech/neondb"),
      () => neon("libsql://blog-ada.turso.io"),
      () => libsql("file:local.db"),
      () => neon(process.env.EDGEALCHEMY_NEVER_SET),
      () => libsql(""),
    ]) {
      try { make(); refusals.push("accepted") } catch (error) { refusals.push(error.name + ": " + error.message) }
    }
    // The advice for file:local.db, followed.
    const { createEngine } = await import("edgealchemy/libsql-node")
    const { literal, select } = await import("edgealchemy")
    const engine = createEngine("file:" + process.argv[1])
    refusals.push((await engine.execute(select(literal(1).label("one")))).scalar())
    console.log(JSON.stringify(refusals))
  `
  const { stdout } = await run(
    process.execPath,
    ["--input-type=module", "-e", script, join(work, "advice.db")],
    { cwd: app.dir },
  )
  expect(JSON.parse(stdout)).toEqual([
    'InvalidRequestError: No driver for postgresql://app:***@ep-x.eu-central-1.aws.neon.tech/neondb (given: libsql): import { createEngine } from "edgealchemy/neon"',
    'InvalidRequestError: No driver for libsql://blog-ada.turso.io (given: neon): import { createEngine } from "edgealchemy/libsql"',
    'InvalidRequestError: No driver for file:local.db (given: libsql): import { createEngine } from "edgealchemy/libsql-node" (Node only)',
    "InvalidRequestError: No database URL (undefined): is its binding set?",
    'InvalidRequestError: No database URL (""): is its binding set?',
    1,
  ])
})

it("the README's wrangler.toml bundles its Turso Worker from the installed package", {
  timeout: TOOL_LIMIT_MS,
}, async () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8")
  const toml = [...readme.matchAll(/^```toml\n([\s\S]*?)^```$/gm)]
    .map((match) => match[1] as string)
    .find((block) => block.includes('main = "src/worker.ts"'))
  expect(toml).toBeDefined()
  const project = join(app.dir, "wrangler-project")
  mkdirSync(project)
  cpSync(join(EXAMPLES, "src"), join(project, "src"), { recursive: true })
  writeFileSync(join(project, "wrangler.toml"), toml as string)
  const out = join(project, "out")
  const { stdout } = await run(
    process.execPath,
    [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", out],
    {
      cwd: project,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    },
  )
  expect(stdout).toContain("DATABASE_URL")
  const bundle = readFileSync(join(out, "worker.js"), "utf8")
  // The installed package's built entry points, not this checkout's sources.
  expect(bundle).toContain("node_modules/edgealchemy/dist/libsql.js")
  expect(bundle).not.toMatch(/from\s*"node:/)
})
