// The flush planner and renderers without a database: ordering, statement sizes, and what a reference's
// flush sends on each dialect.
import { describe, expect, it } from "vitest"
import {
  column,
  type Dialect,
  Integer,
  model,
  postgresql,
  Registry,
  String,
  sqlite,
} from "../../src/index.ts"
import { collectChanges } from "../../src/orm/flush/collect.ts"
import { planFlush } from "../../src/orm/flush/plan.ts"
import { postgresFlushRenderer } from "../../src/orm/flush/postgres.ts"
import type { FlushRenderer } from "../../src/orm/flush/render.ts"
import { sqliteFlushRenderer } from "../../src/orm/flush/sqlite.ts"
import { IdentityMap } from "../../src/orm/identity-map.ts"
import { mapperOf } from "../../src/orm/mapper-of.ts"
import { referenceTo } from "../../src/orm/reference.ts"
import { type InstanceState, stateOf } from "../../src/orm/state.ts"
import { Post as OrmPost, Tag as OrmTag } from "./models.ts"

const registry = new Registry()
class Note extends model(
  "plan_notes",
  { id: column(Integer, { primaryKey: true }), text: column(String(10)) },
  { registry },
) {}

describe("flush planning", () => {
  it("splits an INSERT that would exceed the parameter limit into several statements", () => {
    const session = { id: 1 }
    const pending = new Set<InstanceState>()
    for (let i = 0; i < 25_000; i++) {
      const state = stateOf(new Note({ text: `n${i}` }))
      state.session = session
      pending.add(state)
    }
    const changes = collectChanges(session, pending, [], new Set())
    const plan = planFlush(changes, changes.order)
    expect(plan.steps.map((step) => (step.kind === "insert" ? step.rows.length : 0))).toEqual([
      15_000, 10_000,
    ])
  })
})

describe("a reference's flush (session.reference)", () => {
  /** Post 5 known at version 3 by author 7, retitled, its tags replaced by a known and a new tag. */
  function rendered(renderer: FlushRenderer, dialect: Dialect): string[] {
    const session = { id: 1 }
    const post = referenceTo(mapperOf(OrmPost), { id: 5, version: 3, userId: 7 }).object as OrmPost
    const state = stateOf(post)
    state.session = session
    post.title = "New"
    const tags = [new OrmTag({ name: "orm" }), new OrmTag({ name: "edge" })]
    stateOf(tags[0] as OrmTag).uniqueBy = ["name"]
    post.tags = tags
    const identity = new IdentityMap()
    identity.set(state.mapper, [5], post)
    const pending = new Set(tags.map((tag) => stateOf(tag)))
    for (const tag of pending) tag.session = session
    const changes = collectChanges(session, pending, identity.values().map(stateOf), new Set())
    const plan = planFlush(changes, changes.order)
    return renderer.render(plan.steps, dialect).map(({ statement }) => statement.compile(dialect).sql)
  }

  it("asserts every known column, inserts links that may exist, deletes the others (PostgreSQL)", () => {
    const sql = rendered(postgresFlushRenderer, postgresql)
    expect(sql).toContain(
      `INSERT INTO "orm_post_tags" ("postId", "tagId") VALUES ($1, (SELECT "orm_tags"."id" FROM "orm_tags" WHERE "orm_tags"."name" = 'orm')), ($2, (current_setting('edgealchemy.k2')::bigint[])[1]) ON CONFLICT DO NOTHING RETURNING "postId", "tagId"`,
    )
    expect(sql.find((s) => s.includes("UPDATE"))).toContain(
      'UPDATE "orm_posts" SET "title" = $1, "version" = $2 WHERE "orm_posts"."id" = $3 AND "orm_posts"."version" = $4 AND "orm_posts"."userId" = $5 RETURNING',
    )
    expect(sql.at(-1)).toBe(
      `DELETE FROM "orm_post_tags" WHERE "orm_post_tags"."postId" = $1 AND "orm_post_tags"."tagId" NOT IN ((SELECT "orm_tags"."id" FROM "orm_tags" WHERE "orm_tags"."name" = 'orm'), (current_setting('edgealchemy.k2')::bigint[])[1])`,
    )
  })

  it("does the same on SQLite", () => {
    const sql = rendered(sqliteFlushRenderer, sqlite)
    expect(sql).toContain(
      `INSERT INTO "orm_post_tags" ("postId", "tagId") SELECT column2, column3 FROM (VALUES (1, ?, (SELECT "orm_tags"."id" FROM "orm_tags" WHERE "orm_tags"."name" = 'orm')), (2, ?, ((SELECT max("id") FROM "orm_tags") - 0))) WHERE true ORDER BY column1 ON CONFLICT DO NOTHING RETURNING "postId", "tagId"`,
    )
    expect(sql).toContain(
      'UPDATE "orm_posts" SET "title" = ?, "version" = ? WHERE "orm_posts"."id" = ? AND "orm_posts"."version" = ? AND "orm_posts"."userId" = ? RETURNING "id", "title", "content", "published", "version", "userId"',
    )
    expect(sql.at(-1)).toBe(
      `DELETE FROM "orm_post_tags" WHERE "orm_post_tags"."postId" = ? AND "orm_post_tags"."tagId" NOT IN ((SELECT "orm_tags"."id" FROM "orm_tags" WHERE "orm_tags"."name" = 'orm'), ((SELECT max("id") FROM "orm_tags") - 0))`,
    )
  })
})
