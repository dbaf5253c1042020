// neon-local took any number of client sockets and kept every one open for as long as its client liked
// (keepAliveTimeout: 0; a new, silent one until its headers timed out): a client that opened thousands
// and left them idle held them all. Now, as libsql-local, at most `maxSockets` (default 1,000) are open
// at once, HTTP and WebSocket alike: one past them is answered HTTP 503 with the reason as it connects,
// and closed. An HTTP connection with no request on it for `keepAliveTimeoutMs` (default 60 s; kept
// alive after an answer, or new and silent) is closed; a request in progress, and a WebSocket (logged
// in or not), are not. The command line takes them as --max-sockets and --keep-alive-timeout-ms, and
// the WebSocket message limit as --max-websocket-message-bytes (neon-websocket-message-limit.test.ts).
import { execFile, spawn } from "node:child_process"
import { neon, neonConfig } from "@neondatabase/serverless"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import WebSocket from "ws"
import { type NeonLocal, startNeonLocal } from "../../tools/neon-local/index.ts"
import { message, READY, startup } from "../setup/pg-messages.ts"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"
import { closedOrStillOpen, rawClient, until } from "./raw-client.ts"

const STATS = "GET /__stats HTTP/1.1\r\nhost: local\r\n\r\n"
let database: Awaited<ReturnType<typeof createScratchDatabase>>
beforeAll(async () => {
  database = await createScratchDatabase(pgUrl())
})
afterAll(async () => {
  await database?.drop()
})

/** A WebSocket to the proxy; its status is 101 once open, or the HTTP status it was refused with. */
function webSocket(local: NeonLocal): { socket: WebSocket; status: Promise<number> } {
  const url = new URL(database.url)
  const socket = new WebSocket(`ws://${local.wsProxy()}?address=${url.hostname}:${url.port || 5432}`)
  const status = new Promise<number>((resolve) => {
    socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0))
    socket.once("open", () => resolve(101))
    socket.once("error", () => undefined)
  })
  return { socket, status }
}

describe("neon-local's limit on open sockets (maxSockets)", () => {
  let local: NeonLocal
  beforeAll(async () => {
    local = await startNeonLocal({ upstream: database.url, port: 0, anyPassword: true, maxSockets: 3 })
  })
  afterAll(async () => {
    await local?.stop()
  })

  it("answers a socket past the limit 503 with the reason, and serves again once one closes", async () => {
    // Two sockets kept alive, each answered once, and a WebSocket: the server holds all three.
    const kept = await Promise.all([1, 2].map(() => rawClient(local.port)))
    for (const client of kept) client.socket.write(STATS)
    await until(() => kept.every((client) => client.received().startsWith("HTTP/1.1 200")))
    const ws = webSocket(local)
    expect(await ws.status).toBe(101)

    // The driver's fetch past the limit: Neon's driver reports the status and the text.
    neonConfig.fetchEndpoint = local.fetchEndpoint()
    const reason =
      "neon-local already has 3 client connections open (its limit, maxSockets, --max-sockets, is 3): close idle clients, or raise the limit"
    await expect(neon(database.url).query("SELECT 1 AS one")).rejects.toThrow(
      `Server error (HTTP status 503): ${reason}`,
    )
    const refused = await fetch(`${local.url}/__stats`)
    expect(refused.status).toBe(503)
    expect(refused.headers.get("access-control-allow-origin")).toBe("*")
    expect(await refused.text()).toBe(reason)
    const raw = await rawClient(local.port)
    raw.socket.write(STATS)
    await raw.closed
    expect(raw.received()).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/)
    // A WebSocket past the limit is refused alike.
    const past = webSocket(local)
    expect(await past.status).toBe(503)
    past.socket.terminate()

    // The kept ones still work; once one closes, a new socket is served.
    kept[0]?.socket.write(STATS)
    await until(() => (kept[0]?.received().match(/HTTP\/1\.1 200/g) ?? []).length === 2)
    const wsClosed = new Promise((resolve) => ws.socket.once("close", resolve))
    ws.socket.close()
    await wsClosed
    let answered: unknown
    while (answered === undefined) {
      answered = await neon(database.url)
        .query("SELECT 1 AS one")
        .catch(() => undefined)
    }
    expect(answered).toEqual([{ one: 1 }])
    for (const client of kept) client.socket.destroy()
  })
})

describe("neon-local's idle limit on HTTP connections (keepAliveTimeoutMs)", () => {
  let local: NeonLocal
  beforeAll(async () => {
    // No headers limit: only the idle limit closes a silent socket.
    local = await startNeonLocal({
      upstream: database.url,
      port: 0,
      anyPassword: true,
      keepAliveTimeoutMs: 200,
      headersTimeoutMs: 0,
    })
  })
  afterAll(async () => {
    await local?.stop()
  })

  it("closes a kept-alive connection idle past it, and a new one that sends nothing", async () => {
    const kept = await rawClient(local.port)
    kept.socket.write(STATS)
    await until(() => kept.received().startsWith("HTTP/1.1 200"))
    // Not advertised: clients keep to their own, shorter limits.
    expect(kept.received().toLowerCase()).not.toContain("keep-alive: timeout")
    const silent = await rawClient(local.port)
    expect(await closedOrStillOpen(kept.closed)).toBe("closed")
    expect(await closedOrStillOpen(silent.closed)).toBe("closed")
    expect(silent.received()).toBe("")
  })

  it("does not cut a query in progress, nor a WebSocket left idle before or after its login", async () => {
    const url = new URL(database.url)
    const user = decodeURIComponent(url.username)
    const name = url.pathname.slice(1)
    // One WebSocket logged in, one not yet (within its 60 s to log in).
    const idle = webSocket(local)
    const fresh = webSocket(local)
    expect([await idle.status, await fresh.status]).toEqual([101, 101])
    let idleReceived = Buffer.alloc(0)
    idle.socket.on("message", (data: Buffer) => {
      idleReceived = Buffer.concat([idleReceived, data])
    })
    idle.socket.send(startup(user, name))
    idle.socket.send(message("p", Buffer.from("any\0")))
    await until(() => idleReceived.includes(READY))

    // A query that runs past the idle limit, on a kept-alive connection.
    const client = await rawClient(local.port)
    const body = JSON.stringify({ query: "SELECT pg_sleep(0.5)::text AS slept", params: [] })
    client.socket.write(
      `POST /sql HTTP/1.1\r\nhost: local\r\nneon-connection-string: ${database.url}\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
    await until(() => client.received().includes('"slept"') || client.isClosed())
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/)

    // The WebSockets, idle all along (and a while more), still answer.
    await new Promise((resolve) => setTimeout(resolve, 600))
    idleReceived = Buffer.alloc(0)
    idle.socket.send(message("Q", Buffer.from("SELECT 'still here' AS r11\0")))
    await until(() => idleReceived.includes(READY))
    expect(idleReceived.toString("latin1")).toContain("still here")
    let freshReceived = Buffer.alloc(0)
    fresh.socket.on("message", (data: Buffer) => {
      freshReceived = Buffer.concat([freshReceived, data])
    })
    fresh.socket.send(startup(user, name))
    fresh.socket.send(message("p", Buffer.from("any\0")))
    await until(() => freshReceived.includes(READY))
    idle.socket.close()
    fresh.socket.close()
    client.socket.destroy()
  })
})

describe("neon-local's command line", () => {
  const run = (...args: string[]) =>
    new Promise<{ code: number; out: string }>((resolve) =>
      execFile(
        process.execPath,
        ["--import", "tsx", "tools/neon-local/cli.ts", ...args],
        { env: { ...process.env, PG_URL: database.url }, timeout: 60_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr }),
      ),
    )

  it("says the limits in --help and refuses values that are not", async () => {
    const help = await run("--help")
    expect(help.code).toBe(0)
    expect(help.out).toContain("[--max-sockets 1000] [--keep-alive-timeout-ms 60000]")
    expect(help.out).toContain("[--max-websocket-message-bytes 67108864]")
    expect(help.out).toContain(
      "At most --max-sockets client connections (HTTP and WebSocket) are open at once",
    )
    const wrong = await Promise.all([
      run("--max-sockets", "0"),
      run("--keep-alive-timeout-ms", "60s"),
      run("--max-websocket-message-bytes", "2147483648"),
    ])
    expect(wrong.map((result) => result.code)).toEqual([2, 2, 2])
    expect(wrong[0]?.out).toContain('--max-sockets expects a positive integer, got "0"')
    expect(wrong[1]?.out).toContain(
      '--keep-alive-timeout-ms expects milliseconds (0 for no limit), got "60s"',
    )
    expect(wrong[2]?.out).toContain(
      '--max-websocket-message-bytes expects an integer from 1 to 2147483647, got "2147483648"',
    )
  })

  it("applies --max-sockets", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "tools/neon-local/cli.ts", "--port", "0", "--max-sockets", "1"],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PG_URL: database.url } },
    )
    try {
      let out = ""
      child.stdout?.on("data", (data) => {
        out += data
      })
      await until(() => /neon-local on http:\/\/127\.0\.0\.1:\d+/.test(out) || child.exitCode !== null)
      const port = Number(/neon-local on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1])
      const held = await rawClient(port)
      held.socket.write(STATS)
      await until(() => held.received().startsWith("HTTP/1.1 200"))
      const refused = await fetch(`http://127.0.0.1:${port}/__stats`)
      expect(refused.status).toBe(503)
      expect(await refused.text()).toContain("(its limit, maxSockets, --max-sockets, is 1)")
      held.socket.destroy()
    } finally {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve))
        child.kill("SIGTERM")
        await exited
      }
    }
  })
})
