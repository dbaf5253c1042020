// Seeds the local blog through its own API (so the audit log and the validators see the demo data like
// any other): a demo user with a few posts, tags and a comment. Idempotent: nothing happens when the
// demo user exists already.
import { createApp } from "../../worker/app.ts"
import type { Bindings } from "../../worker/env.ts"

export const DEMO = { username: "demo", password: "demo-password", email: "demo@example.com" }

const POSTS = [
  {
    title: "Hello from the edge",
    content: "This blog runs on Cloudflare Workers with edgealchemy, one request per unit of work.",
    published: true,
    tags: ["edge", "orm"],
  },
  {
    title: "Eager loading without N+1",
    content: "GET /posts/:id loads the post, its author, tags and comments in one round trip.",
    published: true,
    tags: ["orm", "performance"],
  },
  { title: "A draft", content: "Only its author sees it.", published: false, tags: ["drafts"] },
]

export async function seedDemo(env: Bindings): Promise<"seeded" | "present"> {
  const app = createApp()
  const call = async (method: string, path: string, body: unknown, token?: string) => {
    const response = await app.request(
      path,
      {
        method,
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      },
      env,
    )
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }
  const signup = await call("POST", "/users", { ...DEMO, bio: "The demo account of npm run dev" })
  if (signup.status === 409) return "present"
  if (signup.status !== 201) throw new Error(`seeding the demo user failed: ${JSON.stringify(signup.body)}`)
  const login = await call("POST", "/auth/token", { username: DEMO.username, password: DEMO.password })
  const token = String(login.body.token)
  const ids: number[] = []
  for (const post of POSTS) {
    const created = await call("POST", "/posts", post, token)
    if (created.status !== 201) throw new Error(`seeding a post failed: ${JSON.stringify(created.body)}`)
    ids.push(Number(created.body.id))
  }
  await call("POST", `/posts/${ids[0]}/comments`, { content: "First comment, by the demo user." }, token)
  return "seeded"
}
