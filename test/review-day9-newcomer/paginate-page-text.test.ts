// paginate() given its page as it comes from a query string ("2") said "page must be an integer from 1,
// got 2": the value it named looks like the integer asked for. The message now says the kind of value
// given: "got 2 (string)". Nothing is sent for it, and the session goes on.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  column,
  Integer,
  InvalidRequestError,
  model,
  ReadSession,
  Registry,
  select,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Entry extends model("r9nc_page_entries", { id: column(Integer, { primaryKey: true }) }, { registry }) {}

const loose = (value: unknown) => value as number

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`paginate() of a page that is not a number on ${fixture.name}`, () => {
    const scope = `r9nc-page-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)
    const requests = async () => (await fixture.stats(scope))?.httpRequests ?? 0

    it("names the value given and its kind, before anything is sent", async () => {
      await using session = new ReadSession(engine)
      const query = select(Entry).orderBy(Entry.id)
      const before = await requests()
      await expect(session.paginate(query, { page: loose("2"), pageSize: 10 })).rejects.toThrow(
        "page must be a whole number from 1, got 2 (string)",
      )
      await expect(session.paginate(query, { page: 1, pageSize: loose("10") })).rejects.toThrow(
        "pageSize must be a whole number from 1, got 10 (string)",
      )
      await expect(session.paginate(query, { page: Number("two"), pageSize: 10 })).rejects.toThrow(
        "page must be a whole number from 1, got NaN (number)",
      )
      await expect(session.paginate(query, { page: 0, pageSize: 10 })).rejects.toThrow(
        "page must be a whole number from 1, got 0 (number)",
      )
      await expect(session.paginate(query, { page: loose(undefined), pageSize: 10 })).rejects.toBeInstanceOf(
        InvalidRequestError,
      )
      expect(await requests()).toBe(before)
      expect(await session.paginate(query, { page: Number("2"), pageSize: 10 })).toEqual({
        items: [],
        total: 0,
        page: 2,
        pageSize: 10,
      })
    })
  })
}
