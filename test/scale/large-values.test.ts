// Values of megabytes against the 10 MB a request or an answer may carry over Neon HTTP and libSQL
// (sqld's --max-response-size): a commit is refused or applied whole, and never fails for what it
// need not have sent back.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, select } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scaleModels } from "./models.ts"

const { registry, Doc } = scaleModels("sc_large_")
const MIB = 1024 * 1024

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  largeValues(fixture)
}

function largeValues(fixture: TransportFixture): void {
  const scope = (name: string) => `sc-large-${fixture.name}-${name}-${Date.now().toString(36)}`

  describe(`megabyte values on ${fixture.name}`, () => {
    const engine = fixture.engine(scope("setup"))
    freshSchema(engine, registry.metadata)

    it("changes a small column of three 4 MiB documents in one commit: the documents are not sent back", async () => {
      await using session = new AsyncSession(fixture.engine(scope("small-change")))
      const docs = ["a", "b", "c"].map((letter) => new Doc({ body: letter.repeat(4 * MIB) }))
      for (const doc of docs) {
        session.add(doc)
        await session.commit() // one at a time: each commit stays far below the limits
      }
      for (const [i, doc] of docs.entries()) doc.data = { reviewed: i }
      // Their bodies sent back by RETURNING made a 12 MiB answer: Neon HTTP answered 507, sqld
      // RESPONSE_TOO_LARGE, and the commit failed though it sent a few hundred bytes.
      await session.commit()
      expect(docs.map((doc) => [doc.body?.length, doc.data])).toEqual([
        [4 * MIB, { reviewed: 0 }],
        [4 * MIB, { reviewed: 1 }],
        [4 * MIB, { reviewed: 2 }],
      ])
      expect(docs.map((doc) => session.isModified(doc))).toEqual([false, false, false])
      await using check = new AsyncSession(engine)
      const rows = (
        await check.execute(
          select(Doc.id, Doc.data)
            .where(Doc.id.in(docs.map((doc) => doc.id)))
            .orderBy(Doc.id),
        )
      ).all()
      expect(rows.map(([, data]) => data)).toEqual([{ reviewed: 0 }, { reviewed: 1 }, { reviewed: 2 }])
    })

    it("commits two new documents of 4 MiB and 1 MiB of bytes as they were given", async () => {
      await using session = new AsyncSession(fixture.engine(scope("new")))
      const bytes = new Uint8Array(MIB).map((_, i) => i % 251)
      const docs = [new Doc({ body: "x".repeat(4 * MIB), blob: bytes }), new Doc({ body: "é".repeat(MIB) })]
      session.addAll(docs)
      await session.commit()
      await using check = new AsyncSession(engine)
      const [first, second] = docs.map((doc) => doc.id)
      const back = await check.get(Doc, first as number)
      expect(back?.body).toBe("x".repeat(4 * MIB))
      // Compared as a whole: vitest's toEqual walks a megabyte element by element for seconds.
      expect(Buffer.from(back?.blob ?? []).equals(bytes)).toBe(true)
      expect((await check.get(Doc, second as number))?.body).toBe("é".repeat(MIB))
    })
  })
}
