// abf5e17 reads a `timestamp without time zone` as UTC in every process zone, giving the Neon driver
// its own parsers when the zone is not UTC, which it decides by the zone's offset at two instants
// (1970 and summer 2017). Zones at UTC then but not always were taken for UTC: Africa/Abidjan (and
// the zones linked to it: Accra, Dakar, Reykjavik, ...) kept local mean time, -0:16:08, until 1912,
// and Africa/Sao_Tome was UTC+1 through 2018. A Node process in such a zone read '1900-01-01 00:00:00'
// as 00:16:08Z, and '2018-06-01 12:00' in Sao Tome an hour early. Each case runs in a child process
// started with its TZ (./old-timestamp-zone-child.ts).
import { execFile } from "node:child_process"
import { join } from "node:path"
import { describe, expect, inject, it } from "vitest"

const CHILD = join(import.meta.dirname, "old-timestamp-zone-child.ts")

function runChild(transport: string, zone: string): Promise<string[]> {
  const neon = inject("neon")
  const name = `${transport}-${zone}`.replace(/\W/g, "_").toLowerCase()
  const env = {
    ...process.env,
    TZ: zone,
    RV4_TRANSPORT: transport,
    RV4_TABLE: `rv4_tz_${name}`,
    RV4_NEON_URL: neon.connectionString,
    RV4_NEON_HTTP: `${neon.httpUrl}/s/rv4-tz-${name}-${Date.now().toString(36)}`,
  }
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ["--import", "tsx", CHILD],
      { env, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) fail(new Error(`${transport} ${zone}: ${error.message}\n${stderr}`))
        else done(JSON.parse(stdout.trim().split("\n").at(-1) as string) as string[])
      },
    )
  })
}

for (const transport of ["neon-http", "neon-websocket"]) {
  describe(`old wall times on a timestamp without time zone, on ${transport}`, () => {
    for (const zone of ["Africa/Abidjan", "Africa/Sao_Tome"]) {
      it(`read as UTC with TZ=${zone}`, async () => {
        expect(await runChild(transport, zone)).toEqual([
          "1900-01-01T00:00:00.000Z",
          "2018-06-01T12:00:00.000Z",
        ])
      }, 90_000)
    }
  })
}
