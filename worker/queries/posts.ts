// The blog's post queries. Every query that feeds a response loads what the response shows with
// selectinload, so the query and its loads travel in one request (no N+1, no NotLoadedError).
import {
  type AsyncSession,
  type Expression,
  func,
  literal,
  type Page,
  select,
  selectinload,
} from "../../src/index.ts"
import { Comment, foldCase, Post, Tag } from "../models/index.ts"

/** A post's number of comments, computed in the statement that selects the post. */
const commentCount = select(func.count(Comment.id))
  .where(Comment.postId.eq(Post.id))
  .scalarSubquery()
  // Named, its column can travel in the JSON of a one-statement load (unnamed, the query runs beside it).
  .label("commentCount")

/**
 * Published posts matching `conditions`, newest first, with what a post's JSON shows: rows are
 * `[post, commentCount]`, the post with its author and tags loaded.
 */
export function publishedPosts(...conditions: Expression<boolean>[]) {
  return select(Post, commentCount)
    .where(Post.published.eq(true), ...conditions)
    .orderBy(Post.createdAt.desc(), Post.id.desc())
    .options(selectinload(Post.author), selectinload(Post.tags))
}

/** One post with author, tags, and comments with their authors: one request. */
export function postWithEverything(id: number) {
  return select(Post)
    .where(Post.id.eq(id))
    .options(
      selectinload(Post.author),
      selectinload(Post.tags),
      selectinload(Post.comments).selectinload(Comment.author),
    )
}

/** One post with what its JSON shows: rows are `[post, commentCount]`, with its author and tags loaded. */
export function postForJson(id: number) {
  return select(Post, commentCount)
    .where(Post.id.eq(id))
    .options(selectinload(Post.author), selectinload(Post.tags))
}

export const taggedWith = (name: string) => Post.tags.any(Tag.c.name.eq(name))

/**
 * Titles containing `q`, case-insensitively: in the title folded by JavaScript when the post was
 * written (SQLite's lower() folds ASCII letters only), else lower(title). A substring search
 * (instr/strpos) rather than LIKE, so that `%` and `_` in `q` are plain characters.
 */
export function titleContains(q: string, dialect: string): Expression<boolean> {
  const position = func[dialect === "postgresql" ? "strpos" : "instr"] as NonNullable<(typeof func)[string]>
  return position(func.coalesce(Post.titleFolded, func.lower(Post.title)), literal(foldCase(q))).gt(0)
}

/** A page of `publishedPosts(...)` (`[post, commentCount]` rows) with its total: one request. */
export async function pageOfPosts(
  session: AsyncSession,
  query: ReturnType<typeof publishedPosts>,
  paging: { page: number; pageSize: number },
): Promise<Page<[Post, number | null]>> {
  return session.paginate(query, paging)
}
