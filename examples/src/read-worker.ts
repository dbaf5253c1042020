// A Worker that only reads, on Neon: a ReadSession has AsyncSession's identity map, queries and loads but
// no unit of work, so the Worker's bundle carries none of the write path.
import { ReadSession, select } from "edgealchemy"
import { createEngine } from "edgealchemy/neon"
import { Post } from "./models.ts"

export default {
  async fetch(request: Request, env: { DATABASE_URL: string }): Promise<Response> {
    await using session = new ReadSession(createEngine(env.DATABASE_URL)) // closes on scope exit
    const id = new URL(request.url).searchParams.get("id")
    if (id) return Response.json(await session.get(Post, Number(id))) // SELECT ... WHERE "posts"."id" = $1
    const latest = select(Post).where(Post.published.eq(true)).orderBy(Post.createdAt.desc()).limit(10)
    return Response.json((await session.scalars(latest)).all())
  },
}
