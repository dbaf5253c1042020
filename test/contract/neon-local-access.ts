// Who neon-local lets in, with the driver's default settings (`pipelineConnect: "password"`: the
// password goes out unasked, the first query right behind it), in its default mode (no password of its
// own: the upstream URL's) and with a password set. It refuses what Neon refuses, with Neon's words.
// Run in Node (test/node) and inside workerd (test/workers).
import { Client, neon, neonConfig } from "@neondatabase/serverless"
import { describe, expect, inject, it } from "vitest"
import type { NeonEndpoint } from "../setup/provided.ts"

export interface NeonAccessEnvironment {
  /** Node has no global WebSocket: `ws`. Absent inside workerd. */
  webSocketConstructor?: unknown
  label: string
}

export function neonAccessContract(environment: NeonAccessEnvironment): void {
  let scopeCounter = 0
  const newScope = () => `neon-access-${environment.label}-${Date.now().toString(36)}-${++scopeCounter}`
  const endpoints: [string, NeonEndpoint][] = [
    ["default mode", inject("neonDefault")],
    ["with a password", inject("neon")],
  ]

  /** A WebSocket client with the driver's defaults: only the local transport is configured. */
  const defaultClient = (
    endpoint: NeonEndpoint,
    scope: string,
    connectionString = endpoint.connectionString,
  ) => {
    const client = new Client({ connectionString })
    const proxy = endpoint.httpUrl.replace(/^http:\/\//, "")
    client.neonConfig.wsProxy = (host, port) => `${proxy}/s/${scope}/v2?address=${host}:${port}`
    client.neonConfig.useSecureWebSocket = false
    if (environment.webSocketConstructor) {
      client.neonConfig.webSocketConstructor = environment.webSocketConstructor as typeof WebSocket
    }
    // Pipelined, a refused login surfaces on the first query and as an 'error' event afterwards.
    client.on("error", () => undefined)
    return client
  }
  const overHttp = (endpoint: NeonEndpoint, connectionString: string) => {
    neonConfig.fetchEndpoint = `${endpoint.httpUrl}/s/${newScope()}/sql`
    return neon(connectionString)
  }
  /** Connects and runs one query, as an app does; the promise settles with the query or the refusal. */
  const queryOverWebSocket = async (endpoint: NeonEndpoint, connectionString: string) => {
    const client = defaultClient(endpoint, newScope(), connectionString)
    try {
      await client.connect()
      return (await client.query("SELECT current_user AS who")).rows
    } finally {
      await client.end().catch(() => undefined)
    }
  }
  const changed = (endpoint: NeonEndpoint, change: (url: URL) => void) => {
    const url = new URL(endpoint.connectionString)
    change(url)
    return url.toString()
  }

  describe(`neon-local access with the driver's default settings (${environment.label})`, () => {
    for (const [mode, endpoint] of endpoints) {
      it(`runs pipelined WebSocket logins in one round trip (${mode})`, async () => {
        const scope = newScope()
        const client = defaultClient(endpoint, scope)
        await client.connect()
        const { rows } = await client.query("SELECT $1::int + 1 AS n", [41])
        await client.end()
        expect(rows).toEqual([{ n: 42 }])
        // Startup, password and the first query leave together: one round trip, as on Neon.
        const stats = (await (await fetch(`${endpoint.httpUrl}/s/${scope}/__stats`)).json()) as Record<
          string,
          number
        >
        expect(stats).toMatchObject({ wsConnections: 1, wsRoundTrips: 1, statements: 1 })
      })

      it(`refuses a wrong password as Neon does, in both modes (${mode})`, async () => {
        const wrong = changed(endpoint, (url) => {
          url.password = "not-the-password"
        })
        const refusal = {
          code: "28P01",
          message: `password authentication failed for user "${new URL(wrong).username}"`,
        }
        await expect(overHttp(endpoint, wrong).query("SELECT 1")).rejects.toMatchObject(refusal)
        await expect(queryOverWebSocket(endpoint, wrong)).rejects.toMatchObject(refusal)
      })

      it(`refuses a role that does not exist with Neon's password failure (${mode})`, async () => {
        const stranger = changed(endpoint, (url) => {
          url.username = "no_such_role"
        })
        const refusal = { code: "28P01", message: 'password authentication failed for user "no_such_role"' }
        await expect(overHttp(endpoint, stranger).query("SELECT 1")).rejects.toMatchObject(refusal)
        await expect(queryOverWebSocket(endpoint, stranger)).rejects.toMatchObject(refusal)
      })

      it(`refuses a host it does not serve, as Neon a wrong project (${mode})`, async () => {
        const elsewhere = changed(endpoint, (url) => {
          url.hostname = "ep-elsewhere.example.com"
        })
        const user = new URL(elsewhere).username
        const refusal = { code: "28P01", message: `password authentication failed for user "${user}"` }
        await expect(overHttp(endpoint, elsewhere).query("SELECT 1")).rejects.toMatchObject(refusal)
        await expect(queryOverWebSocket(endpoint, elsewhere)).rejects.toMatchObject(refusal)
      })
    }

    it("takes localhost for a loopback upstream's 127.0.0.1, in both modes", async () => {
      const endpoint = inject("neonDefault")
      const local = changed(endpoint, (url) => {
        url.hostname = url.hostname === "127.0.0.1" ? "localhost" : url.hostname
      })
      expect(await overHttp(endpoint, local).query("SELECT 1 AS one")).toEqual([{ one: 1 }])
      expect(await queryOverWebSocket(endpoint, local)).toHaveLength(1)
    })
  })
}
