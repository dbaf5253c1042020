// `npx tsx tools/bench/bundle-size.ts` (`npm run bench:size`): what the library adds to a Workers bundle,
// minified and gzipped (-9), bundled as wrangler bundles a Worker (esbuild, ESM, the workerd/worker/
// browser export conditions). Driver packages (@neondatabase/serverless, @libsql/client) are external:
// they are the same whatever the ORM, and not ours to count.
//
// The budget entries (issue 15, item 1): a one-model read worker, a model of five columns read by key
// with `session.get` and listed with `select()` through a ReadSession (the session a worker that only
// reads uses), importing `createEngine` from `edgealchemy/neon`, and the same from `edgealchemy/libsql`;
// beside each, the same worker written with Drizzle 0.45. Then the
// modules of src/ that make up each budget entry, by minified bytes (esbuild's metafile), so the size
// work knows where to aim; then a few smaller scenarios. `--modules=N` prints N modules (default 25).
import { gzipSync } from "node:zlib"
import { build, type Metafile, type Plugin } from "esbuild"
import { stringLiterals } from "./support/js-strings.ts"
import { isMain } from "./support/main.ts"

export const BUDGET_GZIP_BYTES = 20_480

const EXTERNAL = ["@neondatabase/serverless", "@libsql/client", "@libsql/client/*", "hono", "hono/*"]

/** `edgealchemy` and its subpaths resolved to src/, as the package's exports map them to dist/. */
const edgealchemyFromSource: Plugin = {
  name: "edgealchemy-from-source",
  setup(build) {
    build.onResolve({ filter: /^edgealchemy(\/[a-z-]+)?$/ }, (args) => ({
      path: new URL(
        `../../src/${args.path === "edgealchemy" ? "index" : args.path.slice(12)}.ts`,
        import.meta.url,
      ).pathname,
    }))
  },
}

const readWorker = (driverEntry: "neon" | "libsql", session = "ReadSession") => `
  import { ${session}, Boolean, column, DateTime, Integer, model, select, String, Text } from "edgealchemy"
  import { createEngine } from "edgealchemy/${driverEntry}"

  class Post extends model("posts", {
    id: column(Integer, { primaryKey: true }),
    title: column(String(200)),
    content: column(Text),
    published: column(Boolean, { default: false }),
    createdAt: column(DateTime, { name: "created_at", default: () => new Date() }),
  }) {}

  export default {
    async fetch(request, env) {
      const session = new ${session}(createEngine(env.DATABASE_URL))
      try {
        const id = new URL(request.url).searchParams.get("id")
        if (id) return Response.json(await session.get(Post, Number(id)))
        const posts = await session.scalars(
          select(Post).where(Post.published.eq(true)).orderBy(Post.createdAt.desc()).limit(10),
        )
        return Response.json(posts.all())
      } finally {
        await session.close()
      }
    },
  }`

const drizzleReadWorker = (driver: "neon" | "libsql") => `
  import { desc, eq } from "drizzle-orm"
  ${
    driver === "neon"
      ? `import { neon } from "@neondatabase/serverless"
  import { drizzle } from "drizzle-orm/neon-http"
  import { boolean, pgTable as table, serial, text, timestamp, varchar } from "drizzle-orm/pg-core"
  const posts = table("posts", {
    id: serial("id").primaryKey(),
    title: varchar("title", { length: 200 }).notNull(),
    content: text("content").notNull(),
    published: boolean("published").notNull().$defaultFn(() => false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().$defaultFn(() => new Date()),
  })
  const connect = (env) => drizzle({ client: neon(env.DATABASE_URL) })`
      : `import { drizzle } from "drizzle-orm/libsql/web"
  import { integer, sqliteTable as table, text } from "drizzle-orm/sqlite-core"
  const posts = table("posts", {
    id: integer("id").primaryKey(),
    title: text("title").notNull(),
    content: text("content").notNull(),
    published: integer("published", { mode: "boolean" }).notNull().$defaultFn(() => false),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().$defaultFn(() => new Date()),
  })
  const connect = (env) => drizzle({ connection: { url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN } })`
  }

  export default {
    async fetch(request, env) {
      const db = connect(env)
      const id = new URL(request.url).searchParams.get("id")
      if (id) return Response.json((await db.select().from(posts).where(eq(posts.id, Number(id))))[0] ?? null)
      return Response.json(
        await db.select().from(posts).where(eq(posts.published, true)).orderBy(desc(posts.createdAt)).limit(10),
      )
    },
  }`

/** The budget entries and Drizzle's equivalents, in the order printed. */
export const READ_WORKERS = {
  "edgealchemy/neon read worker": readWorker("neon"),
  "edgealchemy/libsql read worker": readWorker("libsql"),
  "drizzle-orm/neon-http read worker": drizzleReadWorker("neon"),
  "drizzle-orm/libsql/web read worker": drizzleReadWorker("libsql"),
} as const

const SCENARIOS: Record<string, string> = {
  // The budget entries' worker with an AsyncSession, which carries the write path whether or not it writes.
  "neon read worker with AsyncSession": readWorker("neon", "AsyncSession"),
  "libsql read worker with AsyncSession": readWorker("libsql", "AsyncSession"),
  // A read worker whose models relate, loading a post with its author and tags: what relationships add.
  "neon read worker with relationships": `
    import { ReadSession, column, Integer, model, relationship, select, selectinload, String, table, Text } from "edgealchemy"
    import { createEngine } from "edgealchemy/neon"
    class User extends model("users", { id: column(Integer, { primaryKey: true }), username: column(String(50)), posts: relationship("Post", { backPopulates: "author" }) }) {}
    class Tag extends model("tags", { id: column(Integer, { primaryKey: true }), name: column(String(50)) }) {}
    table("post_tags", { postId: column(Integer, { primaryKey: true, foreignKey: "posts.id" }), tagId: column(Integer, { primaryKey: true, foreignKey: "tags.id" }) })
    class Post extends model("posts", { id: column(Integer, { primaryKey: true }), title: column(String(200)), body: column(Text), userId: column(Integer, { foreignKey: "users.id" }),
      author: relationship("User", { backPopulates: "posts" }), tags: relationship("Tag", { secondary: "post_tags" }) }) {}
    export default {
      async fetch(request, env) {
        await using session = new ReadSession(createEngine(env.DATABASE_URL))
        const id = Number(new URL(request.url).searchParams.get("id"))
        const post = await session.scalar(select(Post).where(Post.id.eq(id)).options(selectinload(Post.author), selectinload(Post.tags)))
        return Response.json({ ...post?.toJSON(), author: post?.author.username, tags: post?.tags.map((tag) => tag.name) })
      },
    }`,
  "core + postgresql compiler": `
    import { select, insert, update, deleteFrom, table, column, Integer, String, MetaData, createStatements, func, postgresql } from "edgealchemy"
    const users = table("users", { id: column(Integer, { primaryKey: true }), name: column(String(50)) }, { metadata: new MetaData() })
    export default [select(users.c.id).where(users.c.name.eq("x")).compile(postgresql), insert(users).values({ name: "a" }).compile(postgresql),
      update(users).values({ name: "b" }).compile(postgresql), deleteFrom(users).compile(postgresql), select(func.count()).compile(postgresql),
      createStatements(users.metadata!, postgresql)]`,
  "core + engine + neon driver": `
    import { select, table, column, Integer } from "edgealchemy"
    import { createEngine } from "edgealchemy/neon"
    const users = table("users", { id: column(Integer, { primaryKey: true }) })
    export default (url) => createEngine(url).execute(select(users.c.id))`,
  "core + engine + libsql driver": `
    import { select, table, column, Integer } from "edgealchemy"
    import { createEngine } from "edgealchemy/libsql"
    const users = table("users", { id: column(Integer, { primaryKey: true }) })
    export default (url) => createEngine(url).execute(select(users.c.id))`,
  "ORM write worker (neon): add + commit": `
    import { AsyncSession, model, column, relationship, select, Integer, String } from "edgealchemy"
    import { createEngine } from "edgealchemy/neon"
    class User extends model("users", { id: column(Integer, { primaryKey: true }), name: column(String(50)), posts: relationship("Post", { backPopulates: "author" }) }) {}
    class Post extends model("posts", { id: column(Integer, { primaryKey: true }), userId: column(Integer, { foreignKey: "users.id" }), author: relationship("User", { backPopulates: "posts" }) }) {}
    export default async (url) => {
      const session = new AsyncSession(createEngine(url))
      session.add(new User({ name: "a" }))
      await session.commit()
      return session.scalars(select(Post))
    }`,
}

export interface BundleSize {
  readonly minified: number
  readonly gzip: number
  readonly metafile: Metafile
  /** The minified code, for looking into what it carries. */
  readonly code: string
}

/**
 * Prose in the bundle: string and template literals (or a template's pieces) of 12 characters or more
 * with a space in them, mostly messages, and what they cost: the bundle's gzip size with and without
 * their text (gzip sizes do not add up, so the cost is measured by taking them out).
 */
export function proseBytes(code: string): { literals: number; minified: number; gzipSaved: number } {
  const prose = [...new Set(stringLiterals(code).filter((text) => text.length >= 12 && text.includes(" ")))]
  const without = prose.reduce((rest, text) => rest.split(text).join(""), code)
  return {
    literals: prose.length,
    minified: code.length - without.length,
    gzipSaved: gzipSync(code, { level: 9 }).byteLength - gzipSync(without, { level: 9 }).byteLength,
  }
}

export async function bundleSize(entry: string): Promise<BundleSize> {
  const result = await build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: "ts", sourcefile: "worker.ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    write: false,
    metafile: true,
    external: EXTERNAL,
    plugins: [edgealchemyFromSource],
    logLevel: "silent",
  })
  const code = result.outputFiles[0]?.contents ?? new Uint8Array()
  return {
    minified: code.byteLength,
    gzip: gzipSync(code, { level: 9 }).byteLength,
    metafile: result.metafile,
    code: new TextDecoder().decode(code),
  }
}

/** Minified bytes of each input module in the output, largest first, paths relative to the repository. */
export function moduleBytes(metafile: Metafile): { path: string; bytes: number }[] {
  const root = new URL("../../", import.meta.url).pathname
  const output = Object.values(metafile.outputs)[0]
  return Object.entries(output?.inputs ?? {})
    .map(([path, { bytesInOutput }]) => ({ path: path.replace(root, ""), bytes: bytesInOutput }))
    .filter((module) => module.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
}

/** Bytes by folder of src/ (src/orm/flush, src/sql/compiler, ...). */
export function folderBytes(modules: readonly { path: string; bytes: number }[]): [string, number][] {
  const folders = new Map<string, number>()
  for (const { path, bytes } of modules) {
    const folder = path.startsWith("src/") ? path.slice(0, path.lastIndexOf("/")) : `${path} (outside src/)`
    folders.set(folder, (folders.get(folder) ?? 0) + bytes)
  }
  return [...folders].sort((a, b) => b[1] - a[1])
}

const bytes = (n: number) => `${n.toLocaleString("en-US").padStart(8)} B`

async function main(): Promise<void> {
  const shown = Number(/--modules=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 25)
  console.log(
    `Budget entries (issue 15): a one-model read worker; minified, gzip -9; drivers external; budget ${bytes(BUDGET_GZIP_BYTES).trim()} gzip\n`,
  )
  const sizes: Record<string, BundleSize> = {}
  for (const [name, entry] of Object.entries(READ_WORKERS)) {
    const size = await bundleSize(entry)
    sizes[name] = size
    const over = name.startsWith("edgealchemy")
      ? `  ${size.gzip <= BUDGET_GZIP_BYTES ? "within" : "over"} budget by ${bytes(Math.abs(size.gzip - BUDGET_GZIP_BYTES)).trim()}`
      : ""
    console.log(`${name.padEnd(36)} ${bytes(size.minified)} minified ${bytes(size.gzip)} gzip${over}`)
  }
  for (const name of ["edgealchemy/neon read worker", "edgealchemy/libsql read worker"] as const) {
    const size = sizes[name] as BundleSize
    const modules = moduleBytes(size.metafile)
    const prose = proseBytes(size.code)
    console.log(
      `\n${name}: prose (${prose.literals} distinct literals of 12+ characters with a space, mostly messages): ` +
        `${bytes(prose.minified).trim()} minified; the bundle gzips ${bytes(prose.gzipSaved).trim()} smaller without them`,
    )
    console.log(`${name}: minified bytes by folder of src/`)
    for (const [folder, total] of folderBytes(modules)) console.log(`  ${folder.padEnd(40)} ${bytes(total)}`)
    console.log(`${name}: the ${shown} largest modules (minified bytes in the bundle)`)
    for (const module of modules.slice(0, shown))
      console.log(`  ${module.path.padEnd(40)} ${bytes(module.bytes)}`)
  }
  console.log("\nOther scenarios")
  for (const [name, entry] of Object.entries(SCENARIOS)) {
    const size = await bundleSize(entry)
    console.log(`${name.padEnd(40)} ${bytes(size.minified)} minified ${bytes(size.gzip)} gzip`)
  }
}

if (isMain("bundle-size")) await main()
