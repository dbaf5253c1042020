// A SQLite REAL can hold an infinity (9e999, a sum or product past the largest double), which another
// program may write into a Float column or a query may compute; edgealchemy's writes refuse it. Over
// libSQL's HTTP protocol it cannot travel: JSON has no Infinity, so sqld writes `{"type":"float","value":
// null}` (serde_json's spelling of a non-finite f64) and @libsql/client refuses the whole answer with
// HRANA_PROTO_ERROR 'Expected number, received null'. That is the server's and the client's behaviour,
// not ours to change: the value never reaches us. The embedded client reads it as Infinity, and
// PostgreSQL's float8 'Infinity' reads as Infinity through the Neon driver.
//
// What was ours: the protocol error was taken for a lost connection (ConnectionError), which a web
// app answers 503 'retry shortly' and a client asks again, failing the same each time. A read so
// answered is now a DataError naming the cause; a write so answered ran, and stays an unknown outcome.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, column, Float, func, Integer, model, Registry, select, text } from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"

const registry = new Registry()
class Reading extends model(
  "d8v_inf_readings",
  { id: column(Integer, { primaryKey: true }), value: column(Float) },
  { registry },
) {}
registry.registerModels(Reading)

const fixtures = [
  neonFixture("http", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("d8v-inf"), "inf.db")),
]
for (const fixture of fixtures) {
  describe(`an infinite Float on ${fixture.name}`, () => {
    const scope = `d8v-inf-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)
    const infinity = fixture.dialect === "sqlite" ? "9e999" : "'Infinity'"
    const overHttp = fixture.name === "libsql-http"

    it(overHttp ? "a read is a DataError, asked once" : "reads as Infinity", async () => {
      {
        await using connection = engine.connect()
        await connection.execute(text(`INSERT INTO d8v_inf_readings (id, value) VALUES (1, ${infinity})`))
      }
      const before = await fixture.stats(scope)
      await using session = new AsyncSession(engine)
      const reads = [
        () => session.get(Reading, 1).then((reading) => reading?.value),
        () => session.execute(select(Reading.value)).then((result) => result.scalar()),
        () => session.execute(select(func.max(Reading.value))).then((result) => result.scalar()),
      ]
      for (const read of reads) {
        if (!overHttp) {
          expect(await read()).toBe(Number.POSITIVE_INFINITY)
          continue
        }
        await expect(read()).rejects.toMatchObject({
          name: "DataError",
          message:
            "HRANA_PROTO_ERROR: Expected number, received null: an infinite number, which libSQL's HTTP cannot carry",
        })
      }
      if (overHttp) {
        const after = await fixture.stats(scope)
        expect((after?.httpRequests ?? 0) - (before?.httpRequests ?? 0)).toBe(reads.length)
      }
    })

    if (overHttp) {
      it("a write whose answer holds one ran, and its outcome is unknown", async () => {
        await using connection = engine.connect()
        await expect(
          connection.execute(
            text("UPDATE d8v_inf_readings SET value = 9e999 * 2 WHERE id = 1 RETURNING value"),
          ),
        ).rejects.toMatchObject({ name: "UnknownOutcomeError" })
        await connection.execute(text("UPDATE d8v_inf_readings SET value = 1.5 WHERE id = 1"))
        expect((await connection.execute(select(Reading.value))).scalar()).toBe(1.5)
      })
    }
  })
}
