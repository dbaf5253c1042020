// A commit larger than one request may carry (Neon HTTP takes 10 MiB) is refused whole before anything
// is written: its objects stay pending, and after rollback() the same objects commit in smaller pieces.
// libSQL's HTTP stand-in takes requests of up to 64 MiB and Neon's WebSocket mode has no such limit:
// there the same commit goes through whole. The refusal is a RequestTooLargeError (a DataError), not a
// ConnectionError: the same request would be refused again, so "retry" is not the advice.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  ConnectionError,
  DataError,
  func,
  inspect,
  RequestTooLargeError,
  select,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scaleModels } from "./models.ts"

const { registry, Doc } = scaleModels("sc_request_")
const MIB = 1024 * 1024

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  requestLimits(fixture)
}

function requestLimits(fixture: TransportFixture): void {
  const scope = (name: string) => `sc-request-${fixture.name}-${name}-${Date.now().toString(36)}`

  describe(`a 12 MiB commit on ${fixture.name}`, () => {
    const engine = fixture.engine(scope("setup"))
    freshSchema(engine, registry.metadata)

    it(
      fixture.name === "neon-http"
        ? "is refused whole, and commits in pieces after rollback"
        : "commits whole",
      async () => {
        await using session = new AsyncSession(fixture.engine(scope("commit")))
        const docs = ["a", "b", "c"].map((letter) => new Doc({ body: letter.repeat(4 * MIB) }))
        session.addAll(docs)
        const count = async () => {
          await using check = new AsyncSession(engine)
          return Number(await check.scalar(select(func.count(Doc.id))))
        }
        if (fixture.name !== "neon-http") {
          await session.commit()
          expect(await count()).toBe(3)
          return
        }
        const error = await session.commit().catch((caught: unknown) => caught)
        expect(error).toBeInstanceOf(RequestTooLargeError)
        expect(error).toBeInstanceOf(DataError)
        expect(error).not.toBeInstanceOf(ConnectionError)
        expect((error as Error).message).toMatch(/request is too large.*: commit in smaller pieces$/)
        expect(docs.map((doc) => [inspect(doc).state, doc.id])).toEqual([
          ["pending", undefined],
          ["pending", undefined],
          ["pending", undefined],
        ])
        expect(await count()).toBe(0)
        await session.rollback()
        for (const doc of docs) {
          session.add(doc)
          await session.commit()
        }
        expect(docs.map((doc) => inspect(doc).state)).toEqual(["persistent", "persistent", "persistent"])
        expect(await count()).toBe(3)
      },
    )
  })
}
