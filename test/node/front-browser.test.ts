// The blog's HTML front in a real headless browser (Debian's Chromium through playwright-core): the
// worker runs in workerd (Miniflare) on a libSQL database behind libsql-local, and the browser opens its
// pages, reads what they show, and reads their Server-Timing through the Performance API, the way the
// pages' own script does. The round trips it reads are the ones the stand-in counted.
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"
import type { Bindings } from "../../worker/env.ts"
import { engineFor } from "../../worker/env.ts"
import { ensureSchema } from "../../worker/schema.ts"
import { HOSTILE } from "../blog/front-suite.ts"
import { ensureChromium } from "../front/chromium.ts"
import { type ServedWorker, serveWorker } from "../front/serve-worker.ts"

const TOKEN = "front-browser-token"
const SCOPE = "front-browser"
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
]

let libsql: LibsqlLocal
let worker: ServedWorker
let browser: Browser
const tag = `browser-${Date.now().toString(36)}`
const seeded = { author: "", reader: "", ids: [] as number[], hostileId: 0 }

// Installing Chromium (only on a machine without it) takes minutes; the rest takes a few seconds.
beforeAll(async () => {
  const executablePath = await ensureChromium()
  libsql = await startLibsqlLocal({ port: 0, authToken: TOKEN })
  const env: Bindings = {
    DATABASE_URL: `${libsql.url}/s/${SCOPE}/`,
    DATABASE_AUTH_TOKEN: TOKEN,
    AUTH_SECRET: "front-browser-secret",
  }
  await ensureSchema(engineFor(env))
  worker = await serveWorker(env)
  await seed()
  // playwright-core gives each launch a fresh temporary profile (its own --user-data-dir).
  browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS })
}, 15 * 60_000)

afterAll(async () => {
  await browser?.close()
  await worker?.stop()
  await libsql?.stop()
})

/** Through the worker's own JSON API: two users, three tagged posts (the middle one commented), a hostile one. */
async function seed(): Promise<void> {
  const author = await signUp("author")
  const reader = await signUp("reader")
  seeded.author = author.username
  seeded.reader = reader.username
  for (const title of ["Oldest post", "Middle post", "Newest post"]) {
    const content = `${title}: first paragraph.\n\nSecond paragraph.`
    const post = await api(
      "POST",
      "/posts",
      { title, content, published: true, tags: [tag, "news"] },
      author.token,
    )
    seeded.ids.push(post.id)
  }
  const middle = seeded.ids[1]
  await api("POST", `/posts/${middle}/comments`, { content: "First comment" }, reader.token)
  await api("POST", `/posts/${middle}/comments`, { content: "Second comment" }, author.token)
  const hostile = await api(
    "POST",
    "/posts",
    { title: HOSTILE, content: HOSTILE, published: true },
    author.token,
  )
  await api("POST", `/posts/${hostile.id}/comments`, { content: HOSTILE }, reader.token)
  seeded.hostileId = hostile.id
}

async function signUp(prefix: string) {
  const username = `${prefix}_${Date.now().toString(36)}`
  const password = "password123"
  await api("POST", "/users", { username, email: `${username}@example.com`, password })
  const { token } = await api("POST", "/auth/token", { username, password })
  return { username, token: token as string }
}

// biome-ignore lint/suspicious/noExplicitAny: the seeding reads ids and tokens from the API's JSON.
async function api(method: string, path: string, body: unknown, token?: string): Promise<any> {
  const response = await fetch(new URL(path, worker.url), {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
  const json = await response.json()
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`)
  return json
}

/** Database requests the stand-in has served the worker so far. */
async function databaseRequests(): Promise<number> {
  const response = await fetch(`${libsql.url}/s/${SCOPE}/__stats`)
  return ((await response.json()) as { httpRequests: number }).httpRequests
}

/** The navigation's Server-Timing as the browser parsed it (same-origin, so nothing is hidden). */
function serverTiming(page: Page) {
  return page.evaluate(() => {
    const [navigation] = performance.getEntriesByType("navigation") as PerformanceNavigationTiming[]
    return (navigation?.serverTiming ?? []).map(({ name, description, duration }) => ({
      name,
      description,
      duration,
    }))
  })
}

/** Runs `navigate`, then checks the page's database cost three ways: the stand-in, the API, the page. */
async function expectOneRoundTrip(page: Page, navigate: () => Promise<unknown>): Promise<void> {
  const before = await databaseRequests()
  await navigate()
  // The page's own script runs at the end of the body: wait for it.
  await page.waitForLoadState("load")
  const counted = (await databaseRequests()) - before
  const entries = await serverTiming(page)
  expect(entries.map((entry) => entry.name)).toEqual(["render", "db", "total"])
  const db = entries.find((entry) => entry.name === "db")
  expect(db?.description).toMatch(/^1 round trips, \d+ statements$/)
  expect(counted).toBe(1)
  const shown = page.locator("#server-timing")
  expect(await shown.getAttribute("data-round-trips")).toBe("1")
  expect(await shown.textContent()).toMatch(
    // A post with everything it shows is one statement (src/orm/json-load.ts): "1 statement".
    /^This page: 1 database round trip, \d+ statements?, \d+\.\d ms \(render /,
  )
}

async function newPage(): Promise<{ page: Page; dialogs: string[] }> {
  const page = await browser.newPage()
  const dialogs: string[] = []
  // An injected alert() would open a dialog: record it (and dismiss it, or the page would hang).
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  return { page, dialogs }
}

describe("the HTML front in Chromium", () => {
  it("lists posts newest first with author, tags and comment count, pages them, in 1 round trip each", async () => {
    const { page } = await newPage()
    await expectOneRoundTrip(page, () => page.goto(new URL(`/ui?tag=${tag}&pageSize=2`, worker.url).href))
    expect(await page.title()).toBe(`Posts tagged ${tag} · edgealchemy blog`)
    const posts = page.locator("ol.posts > li")
    expect(await posts.locator("h2").allTextContents()).toEqual(["Newest post", "Middle post"])
    expect(await posts.locator(".author").allTextContents()).toEqual([seeded.author, seeded.author])
    expect(await posts.locator(".comment-count").allTextContents()).toEqual(["0 comments", "2 comments"])
    expect(await posts.first().locator("ul.tags a").allTextContents()).toEqual([tag, "news"].sort())
    expect(await page.locator("nav.pager .position").textContent()).toBe("Page 1 of 2 (3 posts)")

    await expectOneRoundTrip(page, () => page.click("a[rel=next]"))
    expect(new URL(page.url()).search).toBe(`?tag=${tag}&page=2&pageSize=2`)
    expect(await page.locator("ol.posts h2").allTextContents()).toEqual(["Oldest post"])
    await page.close()
  })

  it("shows a post with its tags and its comments with their authors, in 1 round trip", async () => {
    const { page } = await newPage()
    await page.goto(new URL(`/ui?tag=${tag}`, worker.url).href)
    await expectOneRoundTrip(page, () => page.click("text=Middle post"))
    expect(new URL(page.url()).pathname).toBe(`/ui/posts/${seeded.ids[1]}`)
    expect(await page.locator("h1").textContent()).toBe("Middle post")
    expect(await page.locator("article .author").textContent()).toBe(seeded.author)
    expect(await page.locator(".content p").allTextContents()).toEqual([
      "Middle post: first paragraph.",
      "Second paragraph.",
    ])
    expect(await page.locator("article ul.tags a").allTextContents()).toEqual([tag, "news"].sort())
    const comments = page.locator("li.comment")
    expect(await comments.locator(".author").allTextContents()).toEqual([seeded.reader, seeded.author])
    expect(await comments.locator("p:not(.meta)").allTextContents()).toEqual([
      "First comment",
      "Second comment",
    ])
    await page.close()
  })

  it("shows hostile text as text: no script runs, no element is injected", async () => {
    const { page, dialogs } = await newPage()
    await expectOneRoundTrip(page, () => page.goto(new URL(`/ui/posts/${seeded.hostileId}`, worker.url).href))
    expect(await page.title()).toBe(`${HOSTILE} · edgealchemy blog`)
    expect(await page.locator("h1").textContent()).toBe(HOSTILE)
    expect(await page.locator(".content p").textContent()).toBe(HOSTILE)
    expect(await page.locator("li.comment p:not(.meta)").textContent()).toBe(HOSTILE)
    const injected = () =>
      page.evaluate(() => ({
        scripts: document.scripts.length,
        images: document.images.length,
      }))
    expect(await injected()).toEqual({ scripts: 1, images: 0 })
    await page.goto(new URL("/ui?tag=<script>alert(1)</script>", worker.url).href)
    expect(await page.locator("h1").textContent()).toBe("Posts tagged <script>alert(1)</script>")
    expect(await injected()).toEqual({ scripts: 1, images: 0 })
    expect(dialogs).toEqual([])
    await page.close()
  })

  it("takes a browser from / to the HTML list, while API clients keep the JSON index", async () => {
    const { page } = await newPage()
    await page.goto(worker.url.href)
    expect(new URL(page.url()).pathname).toBe("/ui")
    expect(await page.locator("h1").textContent()).toBe("Posts")
    expect(await page.locator("ol.posts h2").first().textContent()).toBe(HOSTILE)
    await page.close()
    const json = await fetch(worker.url)
    expect(json.headers.get("content-type")).toMatch(/^application\/json/)
    expect(await json.json()).toMatchObject({ html: "/ui" })
  })
})
