// Hostile input against every endpoint of the blog, on both databases: NUL, lone surrogates, huge and
// fractional numbers, strings at and past every length limit after normalising (lower-casing that
// lengthens them included), arrays and objects where strings belong, duplicate tags differing in case,
// bad paths and query strings. Every request gets the answer BLOG_API.md gives it, never a 500, and a
// refused one leaves every table (the audit log included) as it was.
import { describe, expect, it } from "vitest"
import { deleteFrom } from "../../src/index.ts"
import { User } from "../../worker/models/index.ts"
import { type CallOptions, expectError } from "../blog/client.ts"
import { useBlog } from "../blog/fixture.ts"
import { blogDatabases } from "./blog-in-node.ts"

/** What a case may use: a signed-in member, their published post (at version 1), someone else's post. */
interface Context {
  token: string
  postId: number
  othersPostId: number
  userId: number
  /** A name no other case uses (usernames, emails and tags must be unique). */
  fresh(prefix: string): string
}

interface Case {
  what: string
  method: "GET" | "POST" | "PATCH" | "DELETE"
  path: string | ((ctx: Context) => string)
  /** The JSON body; a function gets the context. */
  json?: unknown | ((ctx: Context) => unknown)
  raw?: string
  /** Sent with the member's token (default for writes). */
  auth?: boolean
  status: number
}

const I_DOT = "\u0130" // İ: lower-cases to "i" + U+0307, two characters
const EMOJI = "🙂" // one character, two UTF-16 code units
const ERROR_CODES: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "payload_too_large",
  422: "validation_error",
}

const user = (ctx: Context, change: Record<string, unknown>) => ({
  username: ctx.fresh("u"),
  email: `${ctx.fresh("e")}@example.com`,
  password: "password123",
  ...change,
})
const post = (change: Record<string, unknown>) => ({ title: "Title", content: "Content", ...change })

/** Strings that no text field may hold, whatever its limits. */
const unstorable: [string, string][] = [
  ["NUL", "a\u0000b"],
  ["a lone high surrogate", "a\ud800b"],
  ["a lone low surrogate", "a\udc00b"],
  ["a reversed surrogate pair", "\udc00\ud800"],
]
/** Values of the wrong JSON type for a string field. */
const notStrings: [string, unknown][] = [
  ["a number", 42],
  ["a huge number", 1e308],
  ["a boolean", true],
  ["an array of strings", ["a", "b"]],
  ["an object", { $gt: "" }],
]

function signupCases(): Case[] {
  const cases: Case[] = []
  const signup = (
    what: string,
    change: Record<string, unknown> | ((ctx: Context) => unknown),
    status: number,
  ) =>
    cases.push({
      what: `POST /users with ${what}`,
      method: "POST",
      path: "/users",
      json: typeof change === "function" ? change : (ctx: Context) => user(ctx, change),
      status,
    })
  for (const field of ["username", "email", "password", "bio"]) {
    for (const [what, value] of unstorable) signup(`${what} in ${field}`, { [field]: value }, 422)
    for (const [what, value] of notStrings) signup(`${what} as ${field}`, { [field]: value }, 400)
    if (field !== "bio") signup(`null as ${field}`, { [field]: null }, 400)
  }
  signup(
    "a 50-character username",
    (ctx: Context) => user(ctx, { username: `u${ctx.fresh("n").padEnd(49, "x")}` }),
    201,
  )
  signup("a 51-character username", { username: "u".repeat(51) }, 422)
  signup("a 2-character username", { username: "ab" }, 422)
  signup("a username with a dotted capital I", { username: `abc${I_DOT}` }, 422)
  signup("a username with a NUL", { username: "abc\u0000" }, 422)
  signup(
    "a 100-character email",
    (ctx: Context) => user(ctx, { email: `${ctx.fresh("m")}@`.padEnd(100, "x") }),
    201,
  )
  signup(
    "a 101-character email",
    (ctx: Context) => user(ctx, { email: `${ctx.fresh("m")}@`.padEnd(101, "x") }),
    422,
  )
  // 100 characters as sent, 199 once lower-cased: too long for the column only after normalising.
  signup("an email that lower-cases past 100 characters", { email: `@${I_DOT.repeat(99)}` }, 422)
  signup(
    "an email that lower-cases to exactly 100 characters",
    (ctx: Context) =>
      user(ctx, { email: `${ctx.fresh("x").slice(0, 13)}@`.padEnd(100 - 2 * 20, "y") + I_DOT.repeat(20) }),
    201,
  )
  signup("an email of 100 emoji and an @", { email: `@${EMOJI.repeat(99)}` }, 201)
  signup("an email of 101 characters of emoji", { email: `@${EMOJI.repeat(100)}` }, 422)
  signup("an email without @", { email: "no-at.example.com" }, 422)
  signup("a 7-character password", { password: "1234567" }, 422)
  signup("a 200-character password", { password: "p".repeat(200) }, 201)
  signup("a 201-character password", { password: "p".repeat(201) }, 422)
  signup("a 5000-character bio", { bio: "b".repeat(5000) }, 201)
  signup("a 5001-character bio", { bio: "b".repeat(5001) }, 422)
  signup("a 5000-emoji bio", { bio: EMOJI.repeat(5000) }, 201)
  signup("a null bio", { bio: null }, 201)
  signup("an unknown field", { admin: true }, 400)
  signup(
    "a __proto__ field",
    (ctx: Context) =>
      JSON.parse(`{"__proto__": {"isActive": false}, ${JSON.stringify(user(ctx, {})).slice(1)}`),
    400,
  )
  return cases
}

function tokenCases(): Case[] {
  const cases: Case[] = []
  const login = (what: string, json: unknown, status: number) =>
    cases.push({ what: `POST /auth/token with ${what}`, method: "POST", path: "/auth/token", json, status })
  for (const [what, value] of unstorable)
    login(`${what} in the username`, { username: value, password: "password123" }, 422)
  for (const [what, value] of notStrings)
    login(`${what} as the password`, { username: "nobody", password: value }, 400)
  login("a 201-character password", { username: "nobody", password: "p".repeat(201) }, 422)
  login("a 200-character unknown username", { username: "u".repeat(200), password: "password123" }, 401)
  login("SQL in the username", { username: "' OR '1'='1", password: "' OR '1'='1" }, 401)
  login("an array body", [], 400)
  return cases
}

function postCases(): Case[] {
  const cases: Case[] = []
  const create = (what: string, change: Record<string, unknown>, status: number) =>
    cases.push({
      what: `POST /posts with ${what}`,
      method: "POST",
      path: "/posts",
      json: post(change),
      status,
      auth: true,
    })
  const edit = (what: string, change: Record<string, unknown>, status: number) =>
    cases.push({
      what: `PATCH /posts/:id with ${what}`,
      method: "PATCH",
      path: (ctx) => `/posts/${ctx.postId}`,
      json: { version: 1, ...change },
      status,
      auth: true,
    })
  for (const field of ["title", "content"]) {
    for (const [what, value] of unstorable) {
      create(`${what} in the ${field}`, { [field]: value }, 422)
      edit(`${what} in the ${field}`, { [field]: value }, 422)
    }
    for (const [what, value] of notStrings) {
      create(`${what} as the ${field}`, { [field]: value }, 400)
      edit(`${what} as the ${field}`, { [field]: value }, 400)
    }
    create(`a null ${field}`, { [field]: null }, 400)
  }
  for (const [what, value] of unstorable) create(`${what} in a tag`, { tags: ["ok", value] }, 422)
  for (const [what, value] of notStrings) create(`${what} as a tag`, { tags: ["ok", value] }, 400)
  create("a 200-character title", { title: "t".repeat(200) }, 201)
  create("a 200-emoji title", { title: EMOJI.repeat(200) }, 201)
  create("a 201-character title", { title: "t".repeat(201) }, 422)
  create("a 201-emoji title", { title: EMOJI.repeat(201) }, 422)
  create("an empty title", { title: "" }, 422)
  create("a 60000-character content", { content: "c".repeat(60_000) }, 201)
  create("a 60001-character content", { content: "c".repeat(60_001) }, 422)
  create("a 60000-emoji content (over 64 KB)", { content: EMOJI.repeat(60_000) }, 413)
  create("a 50-character tag", { tags: ["t".repeat(50)] }, 201)
  create("a 51-character tag", { tags: ["t".repeat(51)] }, 422)
  // A letter of any script is a tag's (9ba889b): İ lower-cases to "i" and a combining dot, two characters,
  // counted once lower-cased.
  create("a tag with a dotted capital I (two characters once lower-cased)", { tags: [`tag${I_DOT}`] }, 201)
  create("a tag of 50 dotted capital Is (100 characters once lower-cased)", { tags: [I_DOT.repeat(50)] }, 422)
  create("a tag that is only spaces", { tags: ["   "] }, 422)
  create("ten tags", { tags: Array.from({ length: 10 }, (_, i) => `ten-${i}`) }, 201)
  create("eleven tags", { tags: Array.from({ length: 11 }, (_, i) => `eleven-${i}`) }, 422)
  create("the same tag in three cases", { tags: ["Dup-Case", "dup-case", " DUP-CASE "] }, 201)
  create("tags as a string", { tags: "a,b" }, 400)
  create("tags as an object", { tags: { 0: "a" } }, 400)
  create("a published flag that is a string", { published: "true" }, 400)
  create("a published flag that is a number", { published: 1 }, 400)
  edit("version 0", { version: 0 }, 422)
  edit("version -1", { version: -1 }, 422)
  edit("version 1.5", { version: 1.5 }, 422)
  // A version the INTEGER column cannot hold is invalid input, refused by name (not a conflict).
  edit("version 1e308", { version: 1e308 }, 422)
  edit("version 2^53 + 2", { version: 2 ** 53 + 2 }, 422)
  edit("version 2^31 with a change", { version: 2 ** 31, title: "changed" }, 422)
  edit("version as a string", { version: "1" }, 400)
  edit("version null", { version: null }, 400)
  edit("the version only (no change)", {}, 200)
  edit("a 201-character title", { title: "t".repeat(201) }, 422)
  edit("eleven tags", { tags: Array.from({ length: 11 }, (_, i) => `p-${i}`) }, 422)
  // (A post's edits here leave it unchanged, at version 1: a tag with one İ is taken, as by POST above.)
  edit("a tag of 50 dotted capital Is (100 characters once lower-cased)", { tags: [I_DOT.repeat(50)] }, 422)
  cases.push(
    { what: "POST /posts without a token", method: "POST", path: "/posts", json: post({}), status: 401 },
    {
      what: "POST /posts with malformed JSON",
      method: "POST",
      path: "/posts",
      raw: '{"title": ',
      status: 400,
      auth: true,
    },
    {
      what: "POST /posts with a JSON string body",
      method: "POST",
      path: "/posts",
      raw: '"title"',
      status: 400,
      auth: true,
    },
    {
      what: "POST /posts with a JSON null body",
      method: "POST",
      path: "/posts",
      raw: "null",
      status: 400,
      auth: true,
    },
    {
      what: "POST /posts with deeply nested arrays",
      method: "POST",
      path: "/posts",
      raw: `{"title": ${"[".repeat(20_000)}${"]".repeat(20_000)}}`,
      status: 400,
      auth: true,
    },
    {
      what: "PATCH of someone else's post",
      method: "PATCH",
      path: (ctx) => `/posts/${ctx.othersPostId}`,
      json: { title: "Mine", version: 1 },
      status: 403,
      auth: true,
    },
    {
      what: "DELETE of someone else's post",
      method: "DELETE",
      path: (ctx) => `/posts/${ctx.othersPostId}`,
      status: 403,
      auth: true,
    },
  )
  const comment = (what: string, json: unknown, status: number) =>
    cases.push({
      what: `POST /posts/:id/comments with ${what}`,
      method: "POST",
      path: (ctx) => `/posts/${ctx.postId}/comments`,
      json,
      status,
      auth: true,
    })
  for (const [what, value] of unstorable) comment(what, { content: value }, 422)
  for (const [what, value] of notStrings) comment(what, { content: value }, 400)
  comment("5000 characters", { content: "c".repeat(5000) }, 201)
  comment("5000 emoji", { content: EMOJI.repeat(5000) }, 201)
  comment("5001 characters", { content: "c".repeat(5001) }, 422)
  comment("an empty content", { content: "" }, 422)
  comment("an unknown field", { content: "c", postId: 1 }, 400)
  return cases
}

/** Ids in paths: only positive integers that fit the column name a resource; the rest are 404. */
const badIds = [
  "0",
  "-1",
  "1.5",
  "1e3",
  "0x10",
  "+1",
  "01",
  " 1",
  "abc",
  "%00",
  "%F0%9F%99%82",
  "99999999999999999999",
  "2147483648",
  "9007199254740993",
]

function pathCases(): Case[] {
  const cases: Case[] = []
  for (const id of badIds) {
    const at = (method: Case["method"], path: string, json?: unknown) =>
      cases.push({ what: `${method} ${path}`, method, path, status: 404, json, auth: method !== "GET" })
    at("GET", `/users/${id}`)
    at("GET", `/users/${id}/posts`)
    at("GET", `/posts/${id}`)
    at("PATCH", `/posts/${id}`, { version: 1 })
    at("DELETE", `/posts/${id}`)
    at("POST", `/posts/${id}/comments`, { content: "c" })
  }
  const tagPath = (what: string, name: string, status: number) =>
    cases.push({
      what: `GET /tags/:name/posts with ${what}`,
      method: "GET",
      path: `/tags/${name}/posts`,
      status,
    })
  tagPath("a NUL", "%00", 404)
  tagPath("a NUL inside a name", "go%00lang", 404)
  tagPath("a lone surrogate (bad UTF-8)", "%ED%A0%80", 404)
  tagPath("malformed percent-encoding", "%E0%A4%A", 404)
  tagPath("a dotted capital I", "%C4%B0", 404)
  tagPath("a 51-character name", "t".repeat(51), 404)
  tagPath("a 5000-character name", "t".repeat(5000), 404)
  tagPath("SQL", "'%20OR%20'1'%3D'1", 404)
  tagPath("a LIKE wildcard", "%25", 404)
  tagPath("an unknown name", "no-such-tag-anywhere", 404)
  return cases
}

function queryCases(): Case[] {
  const cases: Case[] = []
  const list = (query: string, status: number) =>
    cases.push({ what: `GET /posts?${query}`, method: "GET", path: `/posts?${query}`, status })
  for (const value of ["0", "-1", "1.5", "1e3", "abc", "", "1000001", "99999999999999999999", "%00"]) {
    list(`page=${value}`, 400)
    list(`pageSize=${value}`, 400)
    cases.push({
      what: `GET /users/:id/posts?page=${value}`,
      method: "GET",
      path: (ctx) => `/users/${ctx.userId}/posts?page=${value}`,
      status: 400,
    })
    cases.push({
      what: `GET /tags/:name/posts?pageSize=${value}`,
      method: "GET",
      path: `/tags/any/posts?pageSize=${value}`,
      status: 400,
    })
  }
  list("pageSize=101", 400)
  list("pageSize=100&page=1000000", 200)
  list("page=1&page=2", 400)
  list(`tag=${"t".repeat(50)}`, 200)
  list(`tag=${"t".repeat(51)}`, 400)
  list("tag=%00", 400)
  list("tag=%ED%A0%80", 200)
  list(`tag=${"%C4%B0".repeat(50)}`, 200)
  list("q=%00", 400)
  list(`q=${"q".repeat(200)}`, 200)
  list(`q=${"q".repeat(201)}`, 400)
  list("q=%25%5F%5C", 200)
  list("q=%F0%9F%99%82", 200)
  const audit = (query: string, status: number) =>
    cases.push({ what: `GET /audit?${query}`, method: "GET", path: `/audit?${query}`, status, auth: true })
  audit("entityType=Post&entityId=1", 200)
  audit("entityType=post", 400)
  audit("entityType=%00", 400)
  for (const id of ["0", "-1", "1.5", "abc", "2147483648", "9999999999", "99999999999"])
    audit(`entityId=${id}`, 400)
  cases.push({ what: "GET /audit without a token", method: "GET", path: "/audit", status: 401 })
  cases.push({ what: "GET /stats", method: "GET", path: "/stats?x=%00", status: 200 })
  cases.push({ what: "GET /health", method: "GET", path: "/health", status: 200 })
  cases.push({ what: "GET of an unknown route with a NUL", method: "GET", path: "/%00", status: 404 })
  return cases
}

const CASES: Case[] = [...signupCases(), ...tokenCases(), ...postCases(), ...pathCases(), ...queryCases()]

for (const [name, open] of blogDatabases) {
  describe(`hostile input on ${name}`, () => {
    const blog = useBlog(open)

    it(`answers each of ${CASES.length} hostile requests as BLOG_API.md says, never 500, refusals leaving no trace`, async () => {
      const member = await blog.member("hostile")
      const other = await blog.member("other")
      const { id: othersPostId } = await blog.post(other.token)
      let n = 0
      const fresh = (prefix: string) => `${prefix}${++n}_${Date.now().toString(36)}`
      // One post serves every case: no case may change it (a PATCH that succeeds changes nothing).
      const { id: postId } = await blog.post(member.token)
      const ctx: Context = { token: member.token, postId, othersPostId, userId: member.id, fresh }
      const failures: string[] = []
      for (const testCase of CASES) {
        const path = typeof testCase.path === "function" ? testCase.path(ctx) : testCase.path
        const json = typeof testCase.json === "function" ? testCase.json(ctx) : testCase.json
        const options: CallOptions = {
          ...(json !== undefined ? { json } : {}),
          ...(testCase.raw !== undefined ? { raw: testCase.raw } : {}),
          ...(testCase.auth ? { token: member.token } : {}),
        }
        const send = () => blog.api.call(testCase.method, path, options)
        const answer = testCase.status >= 400 ? await blog.leavesNoTrace(send).catch((e) => e) : await send()
        if (answer instanceof Error) {
          failures.push(`${testCase.what}: ${answer.message.split("\n")[0]}`)
          continue
        }
        if (answer.status !== testCase.status) {
          failures.push(`${testCase.what}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`)
          continue
        }
        if (answer.status >= 400) expectError(answer, answer.status, ERROR_CODES[answer.status] as string)
      }
      console.info(`hostile input on ${name}: ${CASES.length} tried, ${failures.length} failed`)
      expect(failures).toEqual([])
      expect((await blog.api.get(`/posts/${postId}`)).body.version).toBe(1)
    }, 180_000)

    it("answers 401 to a valid token whose user no longer exists, writing nothing", async () => {
      const gone = await blog.member("gone")
      const author = await blog.member("author")
      const { id: postId } = await blog.post(author.token)
      await blog.database.inspect.execute(deleteFrom(User).where(User.id.eq(gone.id)))
      const created = await blog.leavesNoTrace(() =>
        blog.api.post("/posts", { token: gone.token, json: post({ tags: ["ghost-tag"] }) }),
      )
      expectError(created, 401, "unauthorized")
      const commented = await blog.leavesNoTrace(() =>
        blog.api.post(`/posts/${postId}/comments`, { token: gone.token, json: { content: "boo" } }),
      )
      expectError(commented, 401, "unauthorized")
      // The author's own token is unaffected.
      expect((await blog.api.post("/posts", { token: author.token, json: post({}) })).status).toBe(201)
    })
  })
}
