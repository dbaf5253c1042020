// neon-local's WebSocket proxy read a client's password message at any length up to PostgreSQL's 1 GB
// limit before checking it: a client that had not logged in could make it hold a gigabyte (for the
// login's 60 s). PostgreSQL reads the password with a limit of 65,535 bytes (PG_MAX_AUTH_TOKEN_LENGTH);
// the proxy now refuses a longer one as its length arrives, with PostgreSQL's "invalid message length"
// (08P01), and closes the socket. What a client pipelines behind its password while the proxy logs in
// upstream waits in its socket, and is all run once it has.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import WebSocket from "ws"
import { type NeonLocal, startNeonLocal } from "../../tools/neon-local/index.ts"
import { pgUrl } from "../setup/postgres.ts"

let local: NeonLocal
beforeAll(async () => {
  local = await startNeonLocal({ upstream: pgUrl(), port: 0, password: "r10-login" })
})
afterAll(async () => {
  await local.stop()
})

function startup(user: string): Buffer {
  const body = Buffer.concat([
    Buffer.from([0, 3, 0, 0]),
    Buffer.from(`user\0${user}\0database\0postgres\0\0`),
  ])
  const length = Buffer.alloc(4)
  length.writeInt32BE(body.length + 4)
  return Buffer.concat([length, body])
}

function typed(type: string, payload: Buffer): Buffer {
  const header = Buffer.alloc(5)
  header.write(type, 0)
  header.writeInt32BE(payload.length + 4, 1)
  return Buffer.concat([header, payload])
}

/** Opens a proxied socket, sends `frames`; resolves with all it received once the proxy closed it, or
 *  once `done` says what was received is enough. */
function exchange(frames: Buffer[], done: (received: Buffer) => boolean = () => false): Promise<Buffer> {
  const socket = new WebSocket(`${local.url.replace(/^http/, "ws")}/v2?address=localhost:5432`)
  const chunks: Buffer[] = []
  return new Promise((resolve, reject) => {
    socket.on("open", () => {
      for (const frame of frames) socket.send(frame, { binary: true })
    })
    socket.on("message", (data: Buffer) => {
      chunks.push(data)
      if (done(Buffer.concat(chunks))) {
        socket.close()
        resolve(Buffer.concat(chunks))
      }
    })
    socket.on("close", () => resolve(Buffer.concat(chunks)))
    socket.on("error", reject)
  })
}

describe("neon-local's WebSocket proxy before the login is done", () => {
  it("refuses a password message longer than PostgreSQL's 65,535 bytes as its length arrives", async () => {
    const user = new URL(pgUrl()).username
    const header = Buffer.alloc(5)
    header.write("p", 0)
    header.writeInt32BE(100 * 1024 * 1024, 1)
    const received = await exchange([startup(user), header])
    // AuthenticationCleartextPassword, then the refusal.
    expect([...received.subarray(0, 9)]).toEqual([82, 0, 0, 0, 8, 0, 0, 0, 3])
    const refusal = received.subarray(9).toString("latin1")
    expect(refusal[0]).toBe("E")
    expect(refusal).toContain("C08P01\0")
    expect(refusal).toContain("Minvalid message length\0")
  })

  it("still takes a password of up to 65,535 bytes (refused here as wrong) and queries pipelined behind it", async () => {
    const user = new URL(pgUrl()).username
    const long = await exchange([startup(user), typed("p", Buffer.alloc(60_000, 0x61))])
    expect(long.subarray(9).toString("latin1")).toContain("password authentication failed")
    const queries = Array.from({ length: 200 }, (_, i) => typed("Q", Buffer.from(`SELECT ${i} AS r10\0`)))
    const received = await exchange(
      [startup(user), typed("p", Buffer.from("r10-login\0")), ...queries],
      (all) => all.toString("latin1").includes("199"),
    )
    const text = received.toString("latin1")
    expect(text).not.toContain("SFATAL")
    // Each DataRow ends with its one value, after the value's Int32 length.
    for (const i of [0, 100, 199]) {
      expect(text).toContain(`\0\0\0${String.fromCharCode(String(i).length)}${i}`)
    }
  })
})
