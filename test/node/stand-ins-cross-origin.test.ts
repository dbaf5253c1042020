// Both stand-ins answer a page of another origin as the real servers do, checked in a real browser
// (Debian's Chromium through playwright-core), which sends the preflight and enforces its answer:
// neon-local as Neon's proxy (serverless/mod.rs: its own list of allowed headers, which leaves out
// Neon-Batch-Deferrable), libsql-local as sqld (tower-http's CorsLayer: any origin, method, header).
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"
import { type NeonLocal, startNeonLocal } from "../../tools/neon-local/index.ts"
import { ensureChromium } from "../front/chromium.ts"
import { pgUrl } from "../setup/postgres.ts"

const PASSWORD = "sc-cross-origin"
let neon: NeonLocal
let libsql: LibsqlLocal
let site: Server
let browser: Browser
let page: Page

beforeAll(async () => {
  const executablePath = await ensureChromium()
  neon = await startNeonLocal({ upstream: pgUrl(), port: 0, password: PASSWORD })
  libsql = await startLibsqlLocal({ port: 0 })
  // The page's own origin: another port of the same host is another origin.
  site = createServer((_, response) => response.end("<!doctype html><title>another origin</title>"))
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve))
  browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu"] })
  page = await browser.newPage()
  await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`)
}, 120_000)
afterAll(async () => {
  await browser?.close()
  site?.close()
  await libsql?.stop()
  await neon?.stop()
})

/** fetch() from the page: the answer's JSON, or the browser's refusal. */
function fetchFromPage(url: string, init: { headers: Record<string, string>; body: string }) {
  return page.evaluate(
    async ({ url, init }) => {
      try {
        const response = await fetch(url, { method: "POST", ...init })
        return { status: response.status, json: await response.json() }
      } catch (error) {
        return { refused: String(error) }
      }
    },
    { url, init },
  )
}

describe("the stand-ins called from a page of another origin", () => {
  const neonHeaders = () => {
    const { username, pathname } = new URL(pgUrl())
    return {
      "Neon-Connection-String": `postgres://${username}:${PASSWORD}@localhost${pathname}`,
      "Neon-Raw-Text-Output": "true",
      "Neon-Array-Mode": "true",
    }
  }

  it("neon-local answers the driver's headers, a batch's isolation level and read-only mode included", async () => {
    const single = await fetchFromPage(neon.fetchEndpoint(), {
      headers: neonHeaders(),
      body: JSON.stringify({ query: "SELECT $1::int + 1 AS n", params: ["41"] }),
    })
    expect(single).toMatchObject({ status: 200, json: { rows: [["42"]] } })
    const batch = await fetchFromPage(neon.fetchEndpoint(), {
      headers: {
        ...neonHeaders(),
        "Neon-Batch-Isolation-Level": "Serializable",
        "Neon-Batch-Read-Only": "true",
      },
      body: JSON.stringify({ queries: [{ query: "SHOW transaction_isolation" }] }),
    })
    expect(batch).toMatchObject({ status: 200, json: { results: [{ rows: [["serializable"]] }] } })
  })

  it("neon-local, as Neon, leaves Neon-Batch-Deferrable out: the browser refuses such a request", async () => {
    const deferrable = await fetchFromPage(neon.fetchEndpoint(), {
      headers: { ...neonHeaders(), "Neon-Batch-Deferrable": "true" },
      body: JSON.stringify({ queries: [{ query: "SELECT 1" }] }),
    })
    expect(deferrable).toEqual({ refused: expect.stringContaining("Failed to fetch") })
  })

  it("libsql-local answers a Hrana pipeline as sqld does", async () => {
    const answer = await fetchFromPage(`${libsql.url}/v2/pipeline`, {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        baton: null,
        requests: [{ type: "execute", stmt: { sql: "SELECT 6 * 7" } }, { type: "close" }],
      }),
    })
    expect(answer).toMatchObject({
      status: 200,
      json: {
        results: [
          { type: "ok", response: { result: { rows: [[{ type: "integer", value: "42" }]] } } },
          { type: "ok", response: { type: "close" } },
        ],
      },
    })
  })
})
