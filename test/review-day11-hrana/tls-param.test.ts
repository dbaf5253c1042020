// A libSQL URL's ?tls= is read as @libsql/client reads it: `libsql:` with 0 is HTTP, with 1 HTTPS;
// `http:` takes only 0 and `https:` only 1; any other value is refused. edgealchemy/libsql's own
// transport (src/drivers/libsql/hrana.ts) took any value but 0 as HTTPS on `libsql:` (`?tls=false` for
// a local sqld: 'fetch failed', a ConnectionError), and ignored ?tls on `http:` and `https:`: an
// `http:` URL's `?tls=1` sent the request, auth token included, unencrypted. Each is now refused
// (URL_INVALID, an OperationalError) before any request is sent.
import { describe, expect, inject, it } from "vitest"
import { ConnectionError, createEngine, OperationalError, text } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"

const { url, authToken } = inject("libsql")
const hostPort = url.replace(/^http:\/\//, "")

describe("?tls= in a libSQL URL", () => {
  const scope = `r11h-tls-${Date.now().toString(36)}`
  const requests = async () =>
    ((await (await fetch(`${url}/s/${scope}/__stats`)).json()) as { httpRequests: number }).httpRequests
  const run = (target: string) =>
    createEngine(target, { driver: libsql({ authToken }) })
      .execute(text("SELECT 1"))
      .then(
        (result) => result.all(),
        (error: unknown) => error,
      )

  it("is refused when it is not 0 or 1, or goes against the scheme, and nothing is sent", async () => {
    for (const target of [
      `libsql://${hostPort}/s/${scope}/?tls=false`,
      `libsql://${hostPort}/s/${scope}/?tls=`,
      `http://${hostPort}/s/${scope}/?tls=1`,
      `https://${hostPort}/s/${scope}/?tls=0`,
    ]) {
      const failed = await run(target)
      expect(failed, target).toBeInstanceOf(OperationalError)
      expect(failed, target).not.toBeInstanceOf(ConnectionError)
      expect(String(failed), target).toMatch(/URL_INVALID: \?tls=/)
    }
    expect(await requests()).toBe(0)
  })

  it("takes 0 on libsql: and http: as plain HTTP", async () => {
    expect(await run(`libsql://${hostPort}/s/${scope}/?tls=0`)).toEqual([[1n]])
    expect(await run(`http://${hostPort}/s/${scope}/?tls=0`)).toEqual([[1n]])
    expect(await requests()).toBe(2)
  })
})
