// A Worker on Turso (libSQL) with the ORM: the unit of work commits a whole object graph in one request.
import { AsyncSession, createAll, select } from "edgealchemy"
import { createEngine } from "edgealchemy/libsql"
import { metadata, Post, User } from "./models.ts"

interface Env {
  DATABASE_URL: string // libsql://your-db.turso.io
  DATABASE_AUTH_TOKEN: string
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const engine = createEngine(env.DATABASE_URL, { authToken: env.DATABASE_AUTH_TOKEN })
    await createAll(metadata, engine) // CREATE TABLE IF NOT EXISTS; an app runs migrations instead
    await using session = new AsyncSession(engine) // closes its connection on scope exit

    const ada = new User({ username: new URL(request.url).searchParams.get("username") ?? "ada" })
    new Post({ title: "Hello", body: "...", author: ada }) // also in ada.posts
    session.add(ada)
    await session.commit() // one request: both INSERTs, the key handed from one to the other, COMMIT

    const posts = await session.scalars(select(Post).where(Post.userId.eq(ada.id)))
    return Response.json(
      posts.all().map((post) => ({ id: post.id, title: post.title, author: ada.username })),
    )
  },
}
