// A subquery two levels down naming a table of each enclosing select. edgealchemy correlates it to
// both (its FROM keeps only its own tables), as SQL scoping reads it. SQLAlchemy 2.0 auto-correlates
// only to the immediately enclosing select (compiler._setup_select_stack passes the enclosing entry's
// "asfrom_froms" as implicit_correlate_froms; SelectState._get_display_froms removes only those), so
// there the outermost table is joined again inside, uncorrelated: `FROM post_tags, users`. The rows
// differ; README's "Correlation" note says so. This test pins both answers on both databases, the
// SQLAlchemy one through the SQL it renders.
import { describe, expect, it } from "vitest"
import { exists, postgresql, select, sqlite, text } from "../../src/index.ts"
import { fixtures, rows, seededEngine } from "../review-day8-queries/fixture.ts"
import { models } from "../review-day8-queries/models.ts"

const m = models("q8b_nc")
const { User, Post, postTags } = m

/** Users with a tagged post, the innermost condition naming the outermost user (age over 35). */
const statement = () =>
  select(User.c.name)
    .where(
      exists(
        select(Post.id).where(
          Post.userId.eq(User.id),
          exists(select(postTags.c.postId).where(postTags.c.postId.eq(Post.id), User.age.gt(35))),
        ),
      ),
    )
    .orderBy(User.c.name)

// What SQLAlchemy 2.0 renders for the same select (users joined again in the innermost FROM).
const sqlalchemy = text(
  "SELECT q8b_nc_users.name FROM q8b_nc_users WHERE EXISTS (SELECT q8b_nc_posts.id FROM q8b_nc_posts" +
    ' WHERE q8b_nc_posts."userId" = q8b_nc_users.id AND EXISTS (SELECT q8b_nc_post_tags."postId"' +
    ' FROM q8b_nc_post_tags, q8b_nc_users WHERE q8b_nc_post_tags."postId" = q8b_nc_posts.id' +
    " AND q8b_nc_users.age > 35)) ORDER BY q8b_nc_users.name",
)

describe("SQL of a subquery naming tables of two enclosing selects", () => {
  it("correlates to both: the innermost FROM is its own table only", () => {
    for (const dialect of [postgresql, sqlite]) {
      const sql = statement().compile(dialect).sql
      expect(sql).toContain('EXISTS (SELECT "q8b_nc_post_tags"."postId" FROM "q8b_nc_post_tags" WHERE')
      expect(sql.match(/FROM "q8b_nc_users"/g)).toHaveLength(1)
    }
  })
})

for (const fixture of fixtures()) {
  describe(`nested correlation on ${fixture.name}`, () => {
    const engine = seededEngine(fixture, "nested-corr", m)

    it("edgealchemy: the user over 35 with a tagged post; SQLAlchemy's SQL: every user with one", async () => {
      expect(await rows(engine, statement())).toEqual([["cy"]])
      expect(await rows(engine, sqlalchemy)).toEqual([["ada"], ["cy"]])
    })
  })
}
