// `npx tsx tools/bench/bundle-size.ts`: the library's own share of a Workers bundle, minified and
// gzipped (-9), for each entry scenario. Driver packages are external: they are not ours to count.
import { gzipSync } from "node:zlib"
import { build } from "esbuild"

const SCENARIOS: Record<string, string> = {
  "core + postgresql compiler": `
    import { select, insert, update, deleteFrom, table, column, Integer, String, MetaData, createStatements, func, postgresql } from "./src/index.ts"
    const users = table("users", { id: column(Integer, { primaryKey: true }), name: column(String(50)) }, { metadata: new MetaData() })
    export default [select(users.c.id).where(users.c.name.eq("x")).compile(postgresql), insert(users).values({ name: "a" }).compile(postgresql),
      update(users).values({ name: "b" }).compile(postgresql), deleteFrom(users).compile(postgresql), select(func.count()).compile(postgresql),
      createStatements(users.metadata!, postgresql)]`,
  "core + sqlite compiler": `
    import { select, insert, update, deleteFrom, table, column, Integer, String, MetaData, createStatements, func, sqlite } from "./src/index.ts"
    const users = table("users", { id: column(Integer, { primaryKey: true }), name: column(String(50)) }, { metadata: new MetaData() })
    export default [select(users.c.id).where(users.c.name.eq("x")).compile(sqlite), insert(users).values({ name: "a" }).compile(sqlite),
      update(users).values({ name: "b" }).compile(sqlite), deleteFrom(users).compile(sqlite), select(func.count()).compile(sqlite),
      createStatements(users.metadata!, sqlite)]`,
  "core + engine + neon driver": `
    import { createEngine, select, table, column, Integer } from "./src/index.ts"
    import { neon } from "./src/neon.ts"
    const users = table("users", { id: column(Integer, { primaryKey: true }) })
    export default (url) => createEngine(url, { driver: neon() }).execute(select(users.c.id))`,
  "core + engine + libsql driver": `
    import { createEngine, select, table, column, Integer } from "./src/index.ts"
    import { libsql } from "./src/libsql.ts"
    const users = table("users", { id: column(Integer, { primaryKey: true }) })
    export default (url) => createEngine(url, { driver: libsql() }).execute(select(users.c.id))`,
  "core + engine + ORM session + neon driver": `
    import { AsyncSession, model, column, relationship, select, Integer, String } from "./src/index.ts"
    import { createEngine } from "./src/neon.ts"
    class User extends model("users", { id: column(Integer, { primaryKey: true }), name: column(String(50)), posts: relationship("Post", { backPopulates: "author" }) }) {}
    class Post extends model("posts", { id: column(Integer, { primaryKey: true }), userId: column(Integer, { foreignKey: "users.id" }), author: relationship("User", { backPopulates: "posts" }) }) {}
    export default async (url) => {
      const session = new AsyncSession(createEngine(url))
      session.add(new User({ name: "a" }))
      await session.commit()
      return session.scalars(select(Post))
    }`,
}

export async function bundleSize(entry: string): Promise<{ minified: number; gzip: number }> {
  const result = await build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    write: false,
    external: ["@neondatabase/serverless", "@libsql/client", "@libsql/client/*", "hono", "hono/*"],
  })
  const code = result.outputFiles[0]?.contents ?? new Uint8Array()
  return { minified: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, entry] of Object.entries(SCENARIOS)) {
    const { minified, gzip } = await bundleSize(entry)
    console.log(
      `${name.padEnd(32)} ${(minified / 1024).toFixed(1).padStart(6)} KB minified ${(gzip / 1024).toFixed(1).padStart(6)} KB gzip`,
    )
  }
}
