// Many requests at once against the blog (the real worker code, from Node), on both databases. The
// assertions are invariants that hold whatever the interleaving: every request gets a clean answer,
// nothing is lost or duplicated, and the final state is what the successful answers say.
import { describe, expect, it } from "vitest"
import { select, update } from "../../src/index.ts"
import { postTags, Tag, User } from "../../worker/models/index.ts"
import type { Answer } from "../blog/client.ts"
import { expectError } from "../blog/client.ts"
import { useBlog } from "../blog/fixture.ts"
import { blogDatabases, freshLibsqlInNode } from "./blog-in-node.ts"

const CONCURRENT = 50
const TIMEOUT = 60_000

/** Request `i`'s tags: 2-5 of six names, from a rotating start, every other list reversed and shouted. */
function tagsOf(i: number, names: readonly string[]): string[] {
  const count = 2 + (i % 4)
  const picked = Array.from({ length: count }, (_, j) => names[(i + j * (1 + (i % 2))) % names.length])
  const ordered = i % 2 === 0 ? picked : [...picked].reverse()
  return ordered.map((name, j) =>
    j === 0 && i % 3 === 0 ? (name as string).toUpperCase() : (name as string),
  )
}

const normalized = (tags: readonly string[]) => [...new Set(tags.map((t) => t.toLowerCase()))].sort()

function statuses(answers: readonly Answer[]): Record<number, number> {
  const counts: Record<number, number> = {}
  for (const answer of answers) counts[answer.status] = (counts[answer.status] ?? 0) + 1
  return counts
}

for (const [name, open] of blogDatabases) {
  describe(`concurrent writes to the blog on ${name}`, () => {
    const blog = useBlog(open)

    it(
      `${CONCURRENT} concurrent POST /posts naming overlapping tags in different orders all succeed, each tag created once`,
      async () => {
        const { token } = await blog.member("racer")
        const run = Date.now().toString(36)
        const names = ["a", "b", "c", "d", "e", "f"].map((letter) => `${letter}-${run}`)
        const before = await blog.counts()
        const requested = Array.from({ length: CONCURRENT }, (_, i) => tagsOf(i, names))
        const answers = await Promise.all(
          requested.map((tags, i) =>
            blog.api.post("/posts", { token, json: { title: `Race ${i}`, content: "c", tags } }),
          ),
        )
        expect(statuses(answers)).toEqual({ 201: CONCURRENT })
        for (const [i, answer] of answers.entries()) {
          expect(answer.body.tags).toEqual(normalized(requested[i] as string[]))
          expect(answer.roundTrips).toBe(1)
        }
        const stored = (
          await blog.database.inspect.execute(
            select(Tag.c.name).where(Tag.c.name.in(names)).orderBy(Tag.c.name),
          )
        ).all()
        expect(stored.map(([tag]) => tag)).toEqual(names)
        const links = requested.reduce((sum, tags) => sum + normalized(tags).length, 0)
        expect(await blog.counts()).toEqual({
          ...before,
          posts: before.posts + CONCURRENT,
          tags: before.tags + names.length,
          postTags: before.postTags + links,
          auditLogs: before.auditLogs + CONCURRENT,
        })
        // Each post links exactly the tags its answer named.
        for (const answer of answers) {
          const linked = await blog.database.inspect.execute(
            select(Tag.c.name)
              .join(postTags, postTags.c.tagId.eq(Tag.id))
              .where(postTags.c.postId.eq(answer.body.id))
              .orderBy(Tag.c.name),
          )
          expect(linked.all().map(([tag]) => tag)).toEqual(answer.body.tags)
        }
      },
      TIMEOUT,
    )

    it(
      "concurrent POSTs and PATCHes linking existing and new tags in different orders all succeed",
      async () => {
        const { token } = await blog.member("mixer")
        const run = Date.now().toString(36)
        const names = ["a", "b", "c", "d", "e", "f"].map((letter) => `${letter}-${run}`)
        // a, b and c exist; d, e and f are created by whichever request comes first.
        const posts = []
        for (let i = 0; i < CONCURRENT / 2; i++) posts.push(await blog.post(token, { tags: [names[i % 3]] }))
        const requests: Promise<Answer>[] = []
        const expected: string[][] = []
        for (const [i, post] of posts.entries()) {
          const created = [i + 1, i + 4, i + 3].map((n) => names[n % 6] as string)
          const edited = [i + 2, i + 5, i].map((n) => names[n % 6] as string)
          if (i % 2) created.reverse()
          else edited.reverse()
          requests.push(
            blog.api.post("/posts", { token, json: { title: `p${i}`, content: "c", tags: created } }),
          )
          requests.push(blog.api.patch(`/posts/${post.id}`, { token, json: { tags: edited, version: 1 } }))
          expected.push(normalized(created), normalized(edited))
        }
        const answers = await Promise.all(requests)
        expect(statuses(answers)).toEqual({ 200: CONCURRENT / 2, 201: CONCURRENT / 2 })
        for (const [i, answer] of answers.entries()) expect(answer.body.tags).toEqual(expected[i])
        const stored = await blog.database.inspect.execute(select(Tag.c.name).where(Tag.c.name.in(names)))
        expect(
          stored
            .all()
            .map(([tag]) => tag)
            .sort(),
        ).toEqual(names)
      },
      TIMEOUT,
    )
    it(
      `${CONCURRENT} concurrent PATCHes of one version: exactly one wins, the others get 409 and write nothing`,
      async () => {
        const { token } = await blog.member("editor")
        const post = await blog.post(token, { tags: ["start"] })
        const before = await blog.counts()
        const answers = await Promise.all(
          Array.from({ length: CONCURRENT }, (_, i) =>
            blog.api.patch(`/posts/${post.id}`, {
              token,
              json: { title: `Edit ${i}`, tags: [`edit-${i}`, "start"], version: 1 },
            }),
          ),
        )
        expect(statuses(answers)).toEqual({ 200: 1, 409: CONCURRENT - 1 })
        for (const answer of answers) if (answer.status === 409) expectError(answer, 409, "conflict")
        const winner = answers.find((answer) => answer.status === 200) as Answer
        expect(winner.body.version).toBe(2)
        const read = await blog.api.get(`/posts/${post.id}`)
        expect(read.body).toMatchObject({ title: winner.body.title, version: 2, tags: winner.body.tags })
        // The winner's one new tag and one link (its old link kept), its audit entry: nothing of the others.
        expect(await blog.counts()).toEqual({
          ...before,
          tags: before.tags + 1,
          postTags: before.postTags + 1,
          auditLogs: before.auditLogs + 1,
        })
      },
      TIMEOUT,
    )

    it(
      "editors that reload and retry on 409 lose no update: every edit lands once, versions in a row",
      async () => {
        const editors = 10
        const { token } = await blog.member("appender")
        const post = await blog.post(token, { content: "start" })
        let attempts = 0
        const edit = async (mark: string) => {
          for (;;) {
            const current = await blog.api.get(`/posts/${post.id}`)
            attempts++
            const answer = await blog.api.patch(`/posts/${post.id}`, {
              token,
              json: { content: `${current.body.content}|${mark}`, version: current.body.version },
            })
            if (answer.status === 200) return answer.body.version as number
            expectError(answer, 409, "conflict")
          }
        }
        const marks = Array.from({ length: editors }, (_, i) => `m${i}`)
        const versions = await Promise.all(marks.map(edit))
        // Each edit got its own version, one after the other from 2.
        expect([...versions].sort((a, b) => a - b)).toEqual(marks.map((_, i) => i + 2))
        const read = await blog.api.get(`/posts/${post.id}`)
        expect(read.body.version).toBe(editors + 1)
        const landed = (read.body.content as string).split("|").slice(1)
        expect(landed.sort()).toEqual([...marks].sort())
        expect(attempts).toBeGreaterThanOrEqual(editors)
        const audits = await blog.api.get(`/audit?entityType=Post&entityId=${post.id}`, { token })
        expect(audits.body.filter((entry: { action: string }) => entry.action === "update").length).toBe(
          editors,
        )
      },
      TIMEOUT,
    )
  })
}

// libSQL serialises writes: a flush is one batch that waits for the write lock (sqld and the stand-in
// wait up to 5 s; all the requests above succeed). A batch that cannot get it in time fails before
// writing anything, with SQLITE_BUSY, which the app answers 503 "retry shortly"; retried, it succeeds.
describe("concurrent writes to the blog on libSQL while another transaction holds the write lock", () => {
  const blog = useBlog(() => freshLibsqlInNode(0))

  it(
    `${CONCURRENT} concurrent POST /posts get a retryable 503 that wrote nothing; retried, all succeed`,
    async () => {
      const { token } = await blog.member("busy")
      const run = Date.now().toString(36)
      const names = ["a", "b", "c", "d", "e", "f"].map((letter) => `${letter}-${run}`)
      const requested = Array.from({ length: CONCURRENT }, (_, i) => tagsOf(i, names))
      const sendAll = () =>
        Promise.all(
          requested.map((tags, i) =>
            blog.api.post("/posts", { token, json: { title: `Busy ${i}`, content: "c", tags } }),
          ),
        )
      const before = await blog.counts()
      {
        await using holder = blog.database.inspect.connect()
        await holder.begin()
        // Any write takes SQLite's one write lock until the transaction ends.
        await holder.execute(update(User).where(User.id.eq(0)).values({ bio: null }))
        const refused = await sendAll()
        expect(statuses(refused)).toEqual({ 503: CONCURRENT })
        for (const answer of refused) expectError(answer, 503, "unavailable")
        await holder.rollback()
      }
      expect(await blog.counts()).toEqual(before)
      const retried = await sendAll()
      expect(statuses(retried)).toEqual({ 201: CONCURRENT })
      const links = requested.reduce((sum, tags) => sum + normalized(tags).length, 0)
      expect(await blog.counts()).toEqual({
        ...before,
        posts: before.posts + CONCURRENT,
        tags: before.tags + names.length,
        postTags: before.postTags + links,
        auditLogs: before.auditLogs + CONCURRENT,
      })
    },
    TIMEOUT,
  )
})
