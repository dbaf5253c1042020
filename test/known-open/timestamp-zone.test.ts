// A DateTime mapped onto a PostgreSQL `timestamp without time zone` column reads the same instant
// whatever the process's time zone: the value the ORM writes (UTC, as its ISO text) comes back exactly,
// and a wall time another program wrote ('2026-01-02 03:04:05') reads as that wall time in UTC, as the
// ORM writes and as SQLite's text timestamps read. Before, the Neon driver parsed such a value in the
// process's zone (pg-types), so a Node process outside UTC read every value shifted by its offset (and
// a wall time in its spring-forward gap an hour further). Workers run in UTC, where nothing changes.
// Each case runs in a child process started with its TZ (./timestamp-zone-child.ts): Node reads TZ
// once at start-up for Date, so the zone is set before any code runs.
import { execFile } from "node:child_process"
import { join } from "node:path"
import { describe, expect, inject, it } from "vitest"

const CHILD = join(import.meta.dirname, "timestamp-zone-child.ts")
const LIMIT_MS = 60_000

function runChild(transport: string, zone: string): Promise<Record<string, unknown>> {
  const neon = inject("neon")
  const libsqlEndpoint = inject("libsql")
  const scope = `kn-tz-${transport}-${zone.replace(/\W/g, "-")}-${Date.now().toString(36)}`
  const env = {
    ...process.env,
    TZ: zone,
    KN_TRANSPORT: transport,
    KN_TABLE: `kn_tz_${transport.replace("-", "_")}_${zone.replace(/\W/g, "_").toLowerCase()}`,
    KN_NEON_URL: neon.connectionString,
    KN_NEON_HTTP: `${neon.httpUrl}/s/${scope}`,
    KN_LIBSQL_URL: `${libsqlEndpoint.url}/s/${scope}/`,
    KN_LIBSQL_TOKEN: libsqlEndpoint.authToken,
  }
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ["--import", "tsx", CHILD],
      { env, timeout: LIMIT_MS },
      (error, stdout, stderr) => {
        if (error) fail(new Error(`${transport} ${zone}: ${error.message}\n${stderr}`))
        else done(JSON.parse(stdout.trim().split("\n").at(-1) as string) as Record<string, unknown>)
      },
    )
  })
}

const WRITTEN = "2026-07-04T12:34:56.789Z"

for (const transport of ["neon-http", "neon-websocket", "libsql-http"]) {
  describe(`a DateTime on a timestamp without time zone, read outside UTC, on ${transport}`, () => {
    for (const [zone, offset] of [
      ["America/New_York", 300],
      ["Asia/Kolkata", -330],
    ] as const) {
      it(`reads the instants written, and others' wall times as UTC, with TZ=${zone}`, async () => {
        const out = await runChild(transport, zone)
        // The child's Dates are in the zone (ICU may name it otherwise: Asia/Calcutta).
        expect(out.offset).toBe(offset)
        expect(out.returned).toBe(WRITTEN)
        expect(out.got).toBe(WRITTEN)
        const others = ["2026-01-02T03:04:05.000Z", "2026-03-08T02:30:00.250Z"]
        expect(out.queried).toEqual([WRITTEN, ...others])
        expect(out.column).toEqual([WRITTEN, ...others])
      }, 90_000)
    }
  })
}
