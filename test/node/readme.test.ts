// The README's TypeScript is the code of examples/, included verbatim: every ```ts block of README.md
// follows a `<!-- examples/PATH -->` line and equals that file. The files are compiled (with the
// package imported by name, as an app does) and run here against real databases: PostgreSQL through
// neon-local and libSQL through libsql-local, fresh ones per test. (The shell blocks, the migrate
// commands, run in test/node/packed-package.test.ts.)
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { promisify } from "node:util"
import { neonConfig } from "@neondatabase/serverless"
import { afterEach, describe, expect, inject, it, vi } from "vitest"
import first from "../../examples/migrations/0ca22f918c2f_blog_tables.ts"
import userBio from "../../examples/migrations/3f9a2c1b7d4e_user_bio.ts"
import { retitle } from "../../examples/src/edit-post.ts"
import { frontPage } from "../../examples/src/front-page.ts"
import honoApp from "../../examples/src/hono-app.ts"
import { Comment, metadata, Post, Tag, User } from "../../examples/src/models.ts"
import readWorker from "../../examples/src/read-worker.ts"
import taste from "../../examples/src/taste.ts"
import worker from "../../examples/src/worker.ts"
import { AsyncSession, createAll, select } from "../../src/index.ts"
import { Migrator, staticRevisions } from "../../src/migrate.ts"
import { libsqlToken, migrationDatabases, type Target, type TargetName } from "../migrate/databases.ts"

const ROOT = resolve(import.meta.dirname, "../..")
const README = readFileSync(join(ROOT, "README.md"), "utf8")

/** Each fenced block of a TypeScript language, with the line before it. */
function typescriptBlocks(markdown: string): { before: string; code: string; line: number }[] {
  const blocks: { before: string; code: string; line: number }[] = []
  const fence = /^```(ts|typescript|tsx)\n([\s\S]*?)^```$/gm
  for (const match of markdown.matchAll(fence)) {
    const preceding = markdown.slice(0, match.index).trimEnd().split("\n")
    blocks.push({ before: preceding.at(-1) ?? "", code: match[2] as string, line: preceding.length + 1 })
  }
  return blocks
}

/** Fresh databases for one test, the target named, dropped afterwards. */
async function onTarget(name: TargetName, use: (target: Target) => Promise<void>): Promise<void> {
  const databases = await migrationDatabases()
  try {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    await use(target)
  } finally {
    await databases.stop()
  }
}

describe("README.md", () => {
  it("includes the examples verbatim: each TypeScript block is a file of examples/", () => {
    const blocks = typescriptBlocks(README)
    expect(blocks.length).toBeGreaterThanOrEqual(6)
    for (const block of blocks) {
      const marker = /^<!-- (examples\/[\w./-]+\.ts) -->$/.exec(block.before)
      expect(
        marker,
        `README.md line ${block.line}: a TypeScript block must follow <!-- examples/... -->`,
      ).not.toBeNull()
      const file = readFileSync(join(ROOT, (marker as RegExpExecArray)[1] as string), "utf8")
      expect(block.code, `README.md line ${block.line} differs from ${(marker as RegExpExecArray)[1]}`).toBe(
        file,
      )
    }
  })

  it("compiles the examples", { timeout: 120_000 }, async () => {
    const output = await promisify(execFile)("node_modules/.bin/tsc", [
      "--noEmit",
      "-p",
      "examples/tsconfig.json",
    ]).then(
      () => "",
      (error: { stdout?: string }) => error.stdout ?? String(error),
    )
    expect(output).toBe("")
  })
})

describe("the README's examples run", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it("the Core Worker on Neon: creates, inserts, selects adults and prints SQL", async () => {
    await onTarget("neon-http", async (target) => {
      const log = vi.spyOn(console, "log").mockImplementation(() => {})
      const endpoint = neonConfig.fetchEndpoint
      neonConfig.fetchEndpoint = `${inject("neon").httpUrl}/s/readme-taste/sql`
      try {
        const env = { DATABASE_URL: target.url }
        for (let run = 0; run < 2; run++) {
          const response = await taste.fetch(new Request("http://blog.test/"), env)
          expect(await response.json()).toEqual(["1: ada"])
        }
      } finally {
        neonConfig.fetchEndpoint = endpoint
      }
      expect(log).toHaveBeenCalledWith('SELECT count(*) FROM "users" WHERE "users"."age" > :param_1')
    })
  })

  it("the read-only Worker on Neon: gets a post by id and lists the latest published ones", async () => {
    await onTarget("neon-http", async (target) => {
      const engine = target.engine("readme-read-worker")
      {
        await using conn = engine.connect()
        await createAll(metadata, conn)
        await using session = new AsyncSession(engine)
        const ada = new User({ username: "ada" })
        session.addAll([
          new Post({ title: "Draft", body: "...", author: ada }),
          new Post({ title: "Hello", body: "...", published: true, author: ada }),
        ])
        await session.commit()
      }
      const endpoint = neonConfig.fetchEndpoint
      neonConfig.fetchEndpoint = `${inject("neon").httpUrl}/s/readme-read-worker/sql`
      try {
        const env = { DATABASE_URL: target.url }
        const one = await readWorker.fetch(new Request("http://blog.test/?id=1"), env)
        expect(await one.json()).toMatchObject({ id: 1, title: "Draft", published: false })
        const list = await readWorker.fetch(new Request("http://blog.test/"), env)
        expect(((await list.json()) as { title: string }[]).map((post) => post.title)).toEqual(["Hello"])
      } finally {
        neonConfig.fetchEndpoint = endpoint
      }
    })
  })

  it("the ORM Worker on Turso: commits a user and a post, reads the post back", async () => {
    await onTarget("libsql-http", async (target) => {
      const env = { DATABASE_URL: target.url, DATABASE_AUTH_TOKEN: libsqlToken }
      const response = await worker.fetch(new Request("http://blog.test/?username=ada"), env)
      expect(await response.json()).toEqual([{ id: 1, title: "Hello", author: "ada" }])
    })
  })

  it("the Hono app on Turso: creates a user, answers 409 for a taken name, reads the user back", async () => {
    await onTarget("libsql-http", async (target) => {
      const env = { DATABASE_URL: target.url, DATABASE_AUTH_TOKEN: libsqlToken }
      {
        await using conn = target.engine().connect()
        await createAll(metadata, conn)
      }
      const create = () =>
        honoApp.request("/users", { method: "POST", body: JSON.stringify({ username: "ada" }) }, env)
      const created = await create()
      expect(created.status).toBe(201)
      expect(created.headers.get("Server-Timing")).toMatch(/^db;desc="1 round trips?, \d+ statements?";dur=/)
      const { id } = (await created.json()) as { id: number }
      expect((await create()).status).toBe(409)
      const read = await honoApp.request(`/users/${id}`, {}, env)
      expect(await read.json()).toEqual({ id, username: "ada" })
      expect((await honoApp.request("/users/999", {}, env)).status).toBe(404)
    })
  })

  describe.each(["neon-http", "libsql-http"] satisfies TargetName[])("on %s", (name) => {
    it("the front page loads posts, authors, tags and comments in one request each", async () => {
      await onTarget(name, async (target) => {
        const scope = `readme-front-${name}`
        const engine = target.engine(scope)
        {
          await using conn = engine.connect()
          await createAll(metadata, conn)
        }
        {
          await using session = new AsyncSession(engine)
          const [ada, bob] = [new User({ username: "ada" }), new User({ username: "bob" })]
          const edge = new Tag({ name: "edge" })
          for (let n = 1; n <= 25; n++) {
            const post = new Post({ title: `Post ${n}`, body: "...", published: n !== 3, author: ada })
            post.createdAt = new Date(Date.UTC(2026, 0, n))
            post.tags.push(edge)
            if (n === 25) post.comments.push(new Comment({ body: "First!", author: bob }))
            session.add(post)
          }
          await session.commit()
        }
        await using session = new AsyncSession(engine)
        const before = (await target.requests(scope)) ?? 0
        const { posts, page } = await frontPage(session)
        expect((await target.requests(scope)) ?? 0).toBe(before + 2)

        expect(posts).toHaveLength(20)
        const [newest] = posts as Post[]
        expect(newest?.title).toBe("Post 25")
        expect(newest?.author.username).toBe("ada")
        expect(newest?.tags.map((tag) => tag.name)).toEqual(["edge"])
        expect(newest?.comments.map((c) => [c.body, c.author.username])).toEqual([["First!", "bob"]])
        expect(posts.map((post) => post.title)).not.toContain("Post 3")
        expect(page.total).toBe(25)
        expect(page.items.map((post) => post.title)).toEqual([
          "Post 21",
          "Post 22",
          "Post 23",
          "Post 24",
          "Post 25",
        ])
        expect(page.items[0]?.tags.map((tag) => tag.name)).toEqual(["edge"])
      })
    })

    it("an author retitles and retags a post without reading it, in one request", async () => {
      await onTarget(name, async (target) => {
        const scope = `readme-edit-${name}`
        const engine = target.engine(scope)
        {
          await using conn = engine.connect()
          await createAll(metadata, conn)
        }
        const [ada, bob] = [new User({ username: "ada" }), new User({ username: "bob" })]
        const post = new Post({ title: "Draft", body: "Text", author: ada, tags: [new Tag({ name: "old" })] })
        {
          await using session = new AsyncSession(engine)
          session.addAll([post, bob, new Tag({ name: "orm" })])
          await session.commit()
        }
        {
          await using session = new AsyncSession(engine)
          const before = (await target.requests(scope)) ?? 0
          const edited = await retitle(session, post.id, ada.id, "Final")
          expect((await target.requests(scope)) ?? 0).toBe(before + 1)
          expect([edited?.title, edited?.body, edited?.tags.map((tag) => tag.name).sort()]).toEqual([
            "Final",
            "Text",
            ["edge", "orm"],
          ])
        }
        {
          await using session = new AsyncSession(engine)
          expect(await retitle(session, post.id, bob.id, "Stolen")).toBeNull()
          // No such post: the UPDATE finds no row before a link to it fails its foreign key.
          expect(await retitle(session, post.id + 1000, ada.id, "Nope")).toBeNull()
        }
        {
          // The session holds the post, as ada's: bob's reference to it is refused at once.
          await using session = new AsyncSession(engine)
          await session.get(Post, post.id)
          expect(await retitle(session, post.id, bob.id, "Stolen")).toBeNull()
        }
        const [title] = (await engine.execute(select(Post.title).where(Post.id.eq(post.id)))).one()
        expect(title).toBe("Final")
      })
    })

    it("the revisions of examples/migrations build exactly the models' schema, and undo it", async () => {
      await onTarget(name, async (target) => {
        const migrator = new Migrator(target.engine(), { revisions: staticRevisions([first, userBio]) })
        const applied = await migrator.upgrade()
        expect(applied.map((event) => event.revision)).toEqual(["0ca22f918c2f", "3f9a2c1b7d4e"])
        expect(await migrator.compare(metadata)).toEqual([])
        await migrator.downgrade("-1")
        const behind = await migrator.compare(metadata)
        expect(behind.flatMap((change) => change.upgrade.map((op) => op.kind))).toEqual(["addColumn"])
        await migrator.downgrade("base")
        expect(await migrator.current()).toEqual([])
      })
    })
  })
})
