// `toJSON()` of an object with a LargeBinary column gave the bytes as a Uint8Array, which JSON.stringify
// writes as an object of indexes (`{"0":104,"1":105}`): no client reads that as bytes, and it is about
// four times the size. It is now base64 text (RFC 4648, padded), as JSON carries bytes elsewhere
// (protobuf's JSON mapping, JSON Schema's contentEncoding); null stays null.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, insert, ReadSession, select } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { r5Models } from "../review-day5-reads/models.ts"

const { R5Value, registry } = r5Models("r7o_bin")

const every = Uint8Array.from({ length: 256 }, (_, i) => i)

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`toJSON of bytes on ${fixture.name}`, () => {
    const engine = fixture.engine(`r7o-bin-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("seeds", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(
        insert(R5Value).values([
          { id: 1, bytes: new TextEncoder().encode("hi!") },
          { id: 2, bytes: every },
          { id: 3, bytes: new Uint8Array() },
          { id: 4, bytes: null },
        ]),
      )
      await session.commit()
    })

    it("gives bytes as base64 text, which reads back as the same bytes", async () => {
      await using session = new ReadSession(engine)
      const values = (await session.scalars(select(R5Value).orderBy(R5Value.id))).all()
      const json = values.map((value) => value.toJSON().bytes)
      expect(json).toEqual(["aGkh", Buffer.from(every).toString("base64"), "", null])
      // What a response carries, and what a client decodes from it.
      const sent = JSON.parse(JSON.stringify(values[1])) as { bytes: string }
      expect(new Uint8Array(Buffer.from(sent.bytes, "base64"))).toEqual(every)
      const response = await Response.json(values[0]).json()
      expect(response).toMatchObject({ id: 1, bytes: "aGkh" })
    })
  })
}
