// A transaction's request answered with a null baton: the server closed the stream, and with it rolled
// the transaction back (Hrana over HTTP: 'If the baton value in the response is null, it means that the
// server has closed the stream'). edgealchemy/libsql's own transport (src/drivers/libsql/hrana.ts) took
// the null for "no baton yet": the transaction's next statement went without one, on a new stream in
// autocommit, and was committed however the transaction ended; and commit() sent nothing and resolved,
// reporting as committed a transaction the server had rolled back. (@libsql/client sent COMMIT on a new
// stream, which failed.) Now the stream is broken by it: what follows fails with HRANA_CLOSED_ERROR (a
// ConnectionError), commit() too, and nothing runs outside the transaction.
//
// A server that closes a stream by itself is made here by a small proxy in front of libsql-local: armed,
// it adds a close to the next pipeline it forwards, and hides that close's result.
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { ConnectionError, createEngine, type Engine, text } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"

const { url, authToken } = inject("libsql")
const TABLE = "r11h_server_closed"

describe("a transaction whose stream the server closed, over libSQL HTTP", () => {
  let armed = false
  let proxy: Server
  let engine: Engine
  const direct = createEngine(`${url}/s/r11h-server-closed/`, { driver: libsql({ authToken }) })
  const rows = async () => (await direct.execute(text(`SELECT n FROM ${TABLE} ORDER BY n`))).all()

  beforeAll(async () => {
    proxy = createServer(async (request, response) => {
      const chunks: Buffer[] = []
      for await (const chunk of request) chunks.push(chunk as Buffer)
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { requests: object[] }
      const closing = armed
      armed = false
      if (closing) body.requests.push({ type: "close" })
      const answer = await fetch(`${url}${request.url}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `${request.headers.authorization}` },
        body: JSON.stringify(body),
      })
      const json = (await answer.json()) as { results: object[] }
      if (closing) json.results.pop()
      response.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(json))
    })
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve))
    const { port } = proxy.address() as AddressInfo
    engine = createEngine(`http://127.0.0.1:${port}/s/r11h-server-closed/`, { driver: libsql({ authToken }) })
    await direct.execute(text(`DROP TABLE IF EXISTS ${TABLE}`))
    await direct.execute(text(`CREATE TABLE ${TABLE} (n INTEGER)`))
  })
  afterAll(async () => {
    await new Promise((resolve) => proxy.close(resolve))
  })

  it("fails commit(), which the server did not do", async () => {
    await using connection = engine.connect()
    await connection.begin()
    armed = true
    await connection.execute(text(`INSERT INTO ${TABLE} VALUES (1)`))
    await expect(connection.commit()).rejects.toThrow(ConnectionError)
    expect(await rows()).toEqual([])
  })

  it("runs none of the transaction's later statements outside it", async () => {
    await using connection = engine.connect()
    await connection.begin()
    armed = true
    await connection.execute(text(`INSERT INTO ${TABLE} VALUES (1)`))
    await expect(connection.execute(text(`INSERT INTO ${TABLE} VALUES (2)`))).rejects.toThrow(
      /HRANA_CLOSED_ERROR/,
    )
    if (connection.inTransaction) await connection.rollback()
    expect(await rows()).toEqual([])
  })
})
