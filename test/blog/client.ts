// Calls the blog app inside workerd the way Hono tests do (`app.request`, no server), and reads each
// answer's status, JSON and the database cost it reports in Server-Timing.
import type { Hono } from "hono"
import { expect } from "vitest"
import type { Bindings } from "../../worker/env.ts"
import type { BlogEnv } from "../../worker/http/app-env.ts"

export interface Answer {
  status: number
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely and assert their shape.
  body: any
  headers: Headers
  roundTrips: number
  statements: number
}

export interface CallOptions {
  /** A value sent as JSON. */
  json?: unknown
  /** A raw body, sent as is (with a JSON content type unless `headers` says otherwise). */
  raw?: string
  token?: string
  headers?: Record<string, string>
}

// The `db` entry among the app's other metrics (hono/timing's `total`, a route's own), in any position.
const TIMING = /(?:^|,\s*)db;desc="(\d+) round trips, (\d+) statements";dur=(\d+(?:\.\d+)?)(?=\s*,|$)/

/** The database cost an answer reports in the `db` entry of its Server-Timing header. */
export function dbCost(headers: Headers): { roundTrips: number; statements: number } | undefined {
  const timing = TIMING.exec(headers.get("server-timing") ?? "")
  return timing ? { roundTrips: Number(timing[1]), statements: Number(timing[2]) } : undefined
}

export function blogClient(app: Hono<BlogEnv>, env: Bindings) {
  async function call(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers }
    if (options.token) headers.authorization = `Bearer ${options.token}`
    let body: string | undefined
    if (options.json !== undefined || options.raw !== undefined) {
      headers["content-type"] ??= "application/json"
      body = options.raw ?? JSON.stringify(options.json)
    }
    const response = await app.request(
      path,
      { method, headers, ...(body === undefined ? {} : { body }) },
      env,
    )
    const text = await response.text()
    const timing = dbCost(response.headers)
    expect(timing, `${method} ${path} answers with a Server-Timing header`).toBeDefined()
    if (response.status !== 204) {
      expect(response.headers.get("content-type"), `${method} ${path} answers JSON`).toMatch(
        /application\/json/,
      )
    }
    return {
      status: response.status,
      body: text ? JSON.parse(text) : undefined,
      headers: response.headers,
      roundTrips: Number(timing?.roundTrips),
      statements: Number(timing?.statements),
    }
  }
  return {
    call,
    get: (path: string, options?: CallOptions) => call("GET", path, options),
    post: (path: string, options?: CallOptions) => call("POST", path, options),
    patch: (path: string, options?: CallOptions) => call("PATCH", path, options),
    delete: (path: string, options?: CallOptions) => call("DELETE", path, options),
  }
}

export type BlogClient = ReturnType<typeof blogClient>

/** Asserts the error shape of BLOG_API.md: `{"error": {"code", "message"}}` with this status and code. */
export function expectError(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body?.error?.code }).toEqual({ status, code })
  expect(typeof answer.body.error.message).toBe("string")
  expect(Object.keys(answer.body)).toEqual(["error"])
  expect(Object.keys(answer.body.error).sort()).toEqual(["code", "message"])
}
