// Proves this project runs inside workerd, not in Node with a Workers-like shim.
import { describe, expect, inject, it } from "vitest"

describe("the workers project", () => {
  it("executes inside workerd", () => {
    expect((globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent).toBe(
      "Cloudflare-Workers",
    )
    // WebSocketPair exists only in the Workers runtime.
    expect(typeof (globalThis as { WebSocketPair?: unknown }).WebSocketPair).toBe("function")
  })

  it("receives the stand-ins' addresses from the global setup", () => {
    expect(inject("libsql").url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(inject("neon").httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  })
})
