// A commit whose outcome is unknown (the atomic request of commit() was sent, its answer lost) must not
// be sent again by the session's next commit. The failed commit put its new objects back as pending, as
// it does after a failure that certainly wrote nothing, so the next commit() of the same session (a
// script, a loop, a Durable Object: anything that goes on after logging the error) inserted them again
// beside what it was asked to write: a second row, silently, for a commit the database had applied.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { AsyncSession, inspect, text, UnknownOutcomeError } from "../../src/index.ts"
import { FAULTED_TRANSPORTS, type FaultRig, startFaultRig } from "../reliability/fault-rig.ts"
import { freshTables } from "./fresh-tables.ts"
import { hangModels } from "./models.ts"

const { Note, registry, tableName } = hangModels("d7h_resent")

let rig: FaultRig
beforeAll(async () => {
  rig = await startFaultRig()
})
afterAll(() => rig?.stop())

let n = 0
describe("a commit whose outcome is unknown, then another commit of the same session", () => {
  for (const transport of FAULTED_TRANSPORTS) {
    it(`${transport}: the unknown commit's objects are not written again`, async () => {
      const scope = `d7h-resent-${transport}-${++n}`
      await freshTables(rig.inspect(transport), registry.metadata)
      const engine = rig.engine(transport, scope)
      const proxy = rig.proxyOf(transport)
      await using session = new AsyncSession(engine)
      const first = new Note({ body: "first" })
      session.add(first)
      // The websocket transport connects first: the startup message, then the password (two round trips).
      proxy.arm("cut", { scope, after: transport === "neon-websocket" ? 2 : 0 })
      const failure = await session.commit().catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(UnknownOutcomeError)
      // Not pending, to be written again: transient, as after a transaction that did not commit.
      expect(inspect(first).state).toBe("transient")
      session.add(new Note({ body: "second" }))
      await session.commit()
      const stored = await rig.inspect(transport).execute(text(`SELECT body FROM ${tableName} ORDER BY id`))
      expect(stored.all().map(([body]) => body)).toEqual(["first", "second"])
    })

    it(`${transport}: the unknown commit's changes are not sent again`, async () => {
      const scope = `d7h-resent-${transport}-${++n}`
      await freshTables(rig.inspect(transport), registry.metadata)
      await rig.inspect(transport).execute(text(`INSERT INTO ${tableName} (id, body) VALUES (1, 'old')`))
      const engine = rig.engine(transport, scope)
      const proxy = rig.proxyOf(transport)
      await using session = new AsyncSession(engine)
      const note = (await session.get(Note, 1)) as InstanceType<typeof Note>
      note.body = "new"
      // The get() opened the connection (on neon-websocket, its socket): the commit is next.
      proxy.arm("cut", { scope })
      expect(await session.commit().catch((error: unknown) => error)).toBeInstanceOf(UnknownOutcomeError)
      // As after a transaction that did not commit: the values before it, nothing left to write.
      expect(note.body).toBe("old")
      const before = proxy.log(scope).length
      await session.commit()
      expect(proxy.log(scope).length).toBe(before)
      const stored = await rig.inspect(transport).execute(text(`SELECT body FROM ${tableName}`))
      expect(stored.all()).toEqual([["new"]])
    })
  }
})
