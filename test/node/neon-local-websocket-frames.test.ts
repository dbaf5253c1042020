// neon-local's WebSocket proxy takes PostgreSQL's protocol in binary frames only, as Neon's proxy does
// (serverless/websocket.rs): a text frame ends the connection, unanswered.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import WebSocket from "ws"
import { type NeonLocal, startNeonLocal } from "../../tools/neon-local/index.ts"
import { pgUrl } from "../setup/postgres.ts"

let local: NeonLocal
beforeAll(async () => {
  local = await startNeonLocal({ upstream: pgUrl(), port: 0, password: "sc-frames" })
})
afterAll(async () => {
  await local.stop()
})

/** A StartupMessage (protocol 3.0) for `user`. */
function startup(user: string): Buffer {
  const body = Buffer.concat([Buffer.from([0, 3, 0, 0]), Buffer.from(`user\0${user}\0\0`)])
  const length = Buffer.alloc(4)
  length.writeInt32BE(body.length + 4)
  return Buffer.concat([length, body])
}

/** Sends one frame; resolves with the proxy's first answer, or with null when it closes the socket first. */
function firstAnswerTo(frame: Buffer, binary: boolean): Promise<Buffer | null> {
  const socket = new WebSocket(`${local.url.replace(/^http/, "ws")}/v2?address=localhost:5432`)
  return new Promise((resolve, reject) => {
    socket.on("open", () => socket.send(frame, { binary }))
    socket.on("message", (data: Buffer) => {
      resolve(data)
      socket.terminate()
    })
    socket.on("close", () => resolve(null))
    socket.on("error", reject)
  })
}

describe("neon-local's WebSocket frames", () => {
  it("closes a connection whose startup comes in a text frame, and answers the same one in binary", async () => {
    const user = new URL(pgUrl()).username
    expect(await firstAnswerTo(startup(user), false)).toBeNull()
    // AuthenticationCleartextPassword: 'R', length 8, code 3.
    expect([...((await firstAnswerTo(startup(user), true)) ?? [])]).toEqual([82, 0, 0, 0, 8, 0, 0, 0, 3])
  })
})
