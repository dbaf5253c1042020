// What a newcomer passes where a statement is due by mistake: a variable left undefined, a plain object
// ({ sql: "..." }, as some clients take SQL), a promise not awaited. ReadSession and engines failed with
// "TypeError: Cannot read properties of undefined (reading 'state')" or "undefined is not a statement:
// pass select(undefined)" (a plain object has no name), and AsyncSession with "Cannot read properties of
// undefined (reading 'compile')" or "not the undefined undefined". Each now says what it was given and
// what to pass, before anything is sent.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, InvalidRequestError, ReadSession, type Statement } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"

const loose = (value: unknown) => value as Statement
const WRONG: [unknown, string][] = [
  [undefined, "undefined"],
  [null, "null"],
  [{ sql: "SELECT 1" }, "[object Object]"],
  [Promise.resolve(1), "[object Promise]"],
]

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`what is not a statement, on ${fixture.name}`, () => {
    const scope = `r11nc-not-statement-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)

    it("is refused by engines, connections and ReadSession, saying what it was", async () => {
      await using session = new ReadSession(engine)
      await using connection = engine.connect()
      for (const [value, said] of WRONG) {
        const refusal = `${said} is not a statement: pass select(...) or text("SQL")`
        for (const run of [
          () => engine.execute(loose(value)),
          () => connection.execute(loose(value)),
          () => connection.batch([loose(value)]),
          () => session.execute(loose(value)),
          () => session.scalars(loose(value)),
          () => session.scalar(loose(value)),
        ]) {
          const failed = await run().catch((error: unknown) => error)
          expect(failed).toBeInstanceOf(InvalidRequestError)
          expect((failed as Error).message).toBe(refusal)
        }
      }
      expect((await fixture.stats(scope))?.httpRequests ?? 0).toBe(0)
    })

    it("is refused by AsyncSession, saying what it was", async () => {
      await using session = new AsyncSession(engine)
      const takes = 'execute() and scalars() take a statement, select(...) or text("SQL"), not'
      for (const [value, said] of [
        [undefined, "undefined"],
        [null, "null"],
        [{ sql: "SELECT 1" }, "a plain object"],
        [Promise.resolve(1), "a Promise"],
      ] as const) {
        await expect(session.execute(loose(value))).rejects.toThrow(`${takes} ${said}`)
      }
      expect((await fixture.stats(scope))?.httpRequests ?? 0).toBe(0)
    })
  })
}
