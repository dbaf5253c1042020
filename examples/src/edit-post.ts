// An author retitles and retags a post without reading it first: one request writes the post, replaces
// its tags and reads it back.
import { type AsyncSession, StaleDataError, select, selectinload } from "edgealchemy"
import { Post, Tag } from "./models.ts"

export async function retitle(session: AsyncSession, id: number, authorId: number, title: string) {
  try {
    // Known, not loaded: no query (StaleDataError at once if this session holds the post as another's)
    const post = session.reference(Post, { id, userId: authorId })
    post.title = title
    post.tags = ["edge", "orm"].map((name) => session.addUnique(new Tag({ name }), ["name"]))
    // The tags, the UPDATE (its WHERE asserts id and userId), the links, then the read: one request
    const read = await session.commit({
      read: select(Post).where(Post.id.eq(id)).options(selectinload(Post.tags)),
    })
    return read.scalars().one() // the same object, every column and its tags loaded now
  } catch (error) {
    if (error instanceof StaleDataError) return null // no such post, or another author's: nothing written
    throw error
  }
}
