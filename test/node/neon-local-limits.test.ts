// neon-local holds requests to Neon's limits and shapes (proxy's sql_over_http): a body that is not a
// query or a batch of them is a 400, a body over 10 MiB a 413, rows over 10 MiB a 507, a batch
// whose rows pass the limit is rolled back, never committed, and a COPY to or from the client fails. Its WebSocket proxy refuses a message
// whose length cannot be, as PostgreSQL does, and goes on serving everyone else.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import WebSocket from "ws"
import { type NeonLocal, startNeonLocal } from "../../tools/neon-local/index.ts"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"

const MIB = 1024 * 1024
let database: Awaited<ReturnType<typeof createScratchDatabase>>
let local: NeonLocal
beforeAll(async () => {
  database = await createScratchDatabase(pgUrl())
  local = await startNeonLocal({ upstream: database.url, port: 0 })
})
afterAll(async () => {
  await local.stop()
  await database.drop()
})

async function post(body: string, signal?: AbortSignal): Promise<{ status: number; message: unknown }> {
  const response = await fetch(local.fetchEndpoint(), {
    method: "POST",
    headers: { "Neon-Connection-String": database.url },
    body,
    ...(signal ? { signal } : {}),
  })
  const answer = (await response.json()) as { message?: unknown }
  return { status: response.status, message: answer.message }
}

describe("neon-local's limits and request shapes", () => {
  it("answers a body that is no query with a 400", async () => {
    for (const body of [
      "null",
      "42",
      "[1]",
      '{"queries":[null]}',
      '{"query":5}',
      '{"query":"SELECT 1","params":"a"}',
    ]) {
      expect(await post(body), body).toEqual({
        status: 400,
        message:
          "could not parse the HTTP request body: data did not match any variant of untagged enum Payload",
      })
    }
  })

  it("refuses a body over 10 MiB with a 413, as Neon does", async () => {
    const body = JSON.stringify({ query: "SELECT length($1)", params: ["x".repeat(10 * MIB)] })
    expect(await post(body)).toEqual({
      status: 413,
      message: `request is too large (max is ${10 * MIB} bytes)`,
    })
  })

  it("answers rows over 10 MiB with a 507, and rolls back a batch that read them", async () => {
    const large = "SELECT repeat('x', 1024) FROM generate_series(1, 11 * 1024)"
    const tooLarge = { status: 507, message: `response is too large (max is ${10 * MIB} bytes)` }
    expect(await post(JSON.stringify({ query: large }))).toEqual(tooLarge)
    await post(JSON.stringify({ query: "CREATE TABLE written (x int)" }))
    const batch = { queries: [{ query: "INSERT INTO written VALUES (1)" }, { query: large }] }
    expect(await post(JSON.stringify(batch))).toEqual(tooLarge)
    const count = await fetch(local.fetchEndpoint(), {
      method: "POST",
      headers: {
        "Neon-Connection-String": database.url,
        "Neon-Array-Mode": "true",
        "Neon-Raw-Text-Output": "true",
      },
      body: JSON.stringify({ query: "SELECT count(*)::int FROM written" }),
    })
    expect(((await count.json()) as { rows: unknown[][] }).rows).toEqual([["0"]]) // text, as the driver asks
  })

  it("answers COPY FROM STDIN and TO STDOUT at once with Neon's error, and goes on serving", async () => {
    await post(JSON.stringify({ query: "CREATE TABLE copied (x int)" }))
    const refused = { status: 400, message: "unexpected message from server" }
    // Bounded, so that a COPY left waiting for data fails here rather than hangs the run.
    const copy = (query: string) => post(JSON.stringify({ query }), AbortSignal.timeout(3_000))
    expect(await copy("COPY copied FROM STDIN")).toEqual(refused)
    expect(await copy("COPY copied TO STDOUT")).toEqual(refused)
    const batch = {
      queries: [{ query: "INSERT INTO copied VALUES (1)" }, { query: "COPY copied FROM STDIN" }],
    }
    expect(await post(JSON.stringify(batch), AbortSignal.timeout(3_000))).toEqual(refused)
    expect(await post(JSON.stringify({ query: "SELECT count(*)::int AS n FROM copied" }))).toMatchObject({
      status: 200,
    })
  })
})

/** The frames the proxy answers `frames` with, until it closes the socket. */
function exchange(frames: Buffer[], endpoint: NeonLocal = local): Promise<Buffer[]> {
  const { hostname, port } = new URL(database.url)
  const socket = new WebSocket(
    `${endpoint.url.replace(/^http/, "ws")}/v2?address=${hostname}:${port || 5432}`,
  )
  const received: Buffer[] = []
  return new Promise((resolve, reject) => {
    socket.on("open", () => {
      for (const frame of frames) socket.send(frame)
    })
    socket.on("message", (data: Buffer) => received.push(data))
    socket.on("close", () => resolve(received))
    socket.on("error", reject)
  })
}

describe("neon-local's WebSocket proxy and malformed messages", () => {
  const startup = (() => {
    const body = Buffer.from("user\u0000postgres\u0000database\u0000postgres\u0000\u0000")
    const header = Buffer.alloc(8)
    header.writeInt32BE(body.length + 8, 0)
    header.writeInt32BE(196608, 4) // protocol 3.0
    return Buffer.concat([header, body])
  })()

  it("refuses a startup packet whose length is below its header, and still serves", async () => {
    const answer = await exchange([Buffer.from("0000000004d2162f", "hex")])
    expect(Buffer.concat(answer).toString("latin1")).toContain("invalid length of startup packet")
    expect((await post(JSON.stringify({ query: "SELECT 1" }))).status).toBe(200)
  })

  it("refuses a message whose length is negative, and still serves", async () => {
    const answer = await exchange([startup, Buffer.from("51ffffffff", "hex")])
    expect(Buffer.concat(answer).toString("latin1")).toContain("invalid message length -1")
    expect((await post(JSON.stringify({ query: "SELECT 1" }))).status).toBe(200)
  })

  it("closes a socket whose client never logs in, once the login time is up", async () => {
    const impatient = await startNeonLocal({ upstream: database.url, port: 0, loginTimeoutMs: 200 })
    try {
      const answer = await exchange([], impatient)
      expect(Buffer.concat(answer).toString("latin1")).toContain(
        "timeout expired before the client logged in",
      )
    } finally {
      await impatient.stop()
    }
  })
})
