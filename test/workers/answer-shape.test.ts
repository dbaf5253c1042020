// An answer not as the protocol says, inside workerd (whose fetch words its failures its own way): a 200
// of JSON of the wrong shape, a body cut off halfway, a body that stalls after its headers. The server
// may have done the work before it answered so: a write's outcome is unknown; a read's failure is a
// ConnectionError. (Node: test/review-day7-hangs/answer-shape.test.ts, against the real stand-ins.)
import { describe, expect, inject, it } from "vitest"
import { ConnectionError, createEngine, type Engine, text, UnknownOutcomeError } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neon } from "../../src/neon.ts"

const silent = inject("silent").url

const engines: [string, (how: string) => Engine][] = [
  [
    "libSQL over HTTP",
    (how) => createEngine(`${silent}/answers/${how}/`, { driver: libsql({ requestTimeoutMs: 300 }) }),
  ],
  [
    "Neon over HTTP",
    (how) =>
      createEngine("postgresql://user:password@db.example/blog", {
        driver: neon({ fetchEndpoint: `${silent}/answers/${how}/sql`, requestTimeoutMs: 300 }),
      }),
  ],
]

/** What a failure tells the application. */
function kindOf(error: unknown): string {
  if (error instanceof UnknownOutcomeError) return "unknown"
  if (error instanceof ConnectionError) return "connection"
  return `${(error as Error)?.name}: ${(error as Error)?.message}`
}

describe("an answer not as the protocol says, in workerd", () => {
  for (const [name, engineOf] of engines) {
    for (const how of ["empty", "null", "half", "stall"]) {
      it(`${name}, ${how}: a batch's and a write's outcome is unknown, a read's failure a ConnectionError`, async () => {
        const engine = engineOf(how)
        const kinds: string[] = []
        for (const send of [
          async () => {
            await using connection = engine.connect()
            return await connection.batch([
              text("INSERT INTO t VALUES (1)"),
              text("INSERT INTO t VALUES (2)"),
            ])
          },
          () => engine.execute(text("INSERT INTO t VALUES (3)")),
          () => engine.execute(text("SELECT x FROM t")),
        ]) {
          kinds.push(
            kindOf(
              await send().then(
                () => "ok",
                (error: unknown) => error,
              ),
            ),
          )
        }
        expect(kinds).toEqual(["unknown", "unknown", "connection"])
      })
    }
  }
})
