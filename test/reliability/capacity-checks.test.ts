// A written value's capacity (String length, Numeric precision and scale, Enum values) is checked by
// checks that what writes installs (src/sql/value-checks.ts), so a bundle that only reads carries none.
// This file writes through the SQLite flush alone, which renders its INSERTs as text rather than with
// insert(): its checks must be there all the same (a file of its own, so nothing else installed them).
import { describe, expect, it } from "vitest"
import {
  AsyncSession,
  column,
  createAll,
  DataError,
  Enum,
  Integer,
  model,
  Numeric,
  Registry,
  String,
} from "../../src/index.ts"
import { createEngine } from "../../src/libsql-node.ts"

const registry = new Registry()

class Limited extends model(
  "capacity_limited",
  {
    id: column(Integer, { primaryKey: true }),
    code: column(String(3), { nullable: true }),
    price: column(Numeric(5, 2), { nullable: true }),
    size: column(Enum("s", "m"), { nullable: true }),
  },
  { registry },
) {}

describe("capacity checks of written values", () => {
  it("refuse, before sending, what the SQLite flush would write beyond a column's capacity", async () => {
    const engine = createEngine(":memory:")
    await using session = new AsyncSession(engine)
    await createAll(registry.metadata, engine)
    for (const [values, why] of [
      [{ code: "abcd" }, "at most 3 characters"],
      [{ price: "1.234" }, "at most 2 digits after the point"],
      [{ price: "1234" }, "at most 3 digits before the point"],
      [{ size: "xl" }, "one of s, m only"],
    ] as const) {
      session.add(new Limited(values as never)) // "xl" is refused by the types too
      const error = await session.commit().catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(DataError)
      expect((error as Error).message).toContain(why)
      await session.rollback()
    }
    session.add(new Limited({ code: "abc", price: "123.45", size: "m" }))
    await session.commit()
  })
})
