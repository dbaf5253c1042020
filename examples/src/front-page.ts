// A page of published posts with their authors, tags and comments (and the comments' authors): the
// query and all its loads go as one request.
import { type AsyncSession, joinedload, select, selectinload } from "edgealchemy"
import { Comment, Post } from "./models.ts"

export async function frontPage(session: AsyncSession) {
  const latest = select(Post).where(Post.published.eq(true)).orderBy(Post.createdAt.desc(), Post.id).limit(20)
  const posts = await session.scalars(
    latest.options(
      joinedload(Post.author), // joined into the query itself
      selectinload(Post.tags), // selected by the page's keys, in the same statement
      selectinload(Post.comments).joinedload(Comment.author), // any depth
    ),
  )
  const everyPost = select(Post).orderBy(Post.id).options(selectinload(Post.tags))
  const page = await session.paginate(everyPost, { page: 2, pageSize: 20 })
  // page is { items, total, page, pageSize }: the page, its total and its loads, again one request
  return { posts: posts.all(), page }
}
