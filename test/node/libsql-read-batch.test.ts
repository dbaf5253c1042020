// A batch of plain SELECTs on libSQL runs as a read transaction: it takes no write lock, so it goes
// through while another connection holds one (a "write" batch would begin IMMEDIATE and wait on it).
import { describe, expect, it } from "vitest"
import {
  column,
  createAll,
  dropAll,
  func,
  Integer,
  insert,
  MetaData,
  select,
  table,
} from "../../src/index.ts"
import { libsqlHttpFixture } from "../engine/transports.ts"

describe("libSQL read batches", () => {
  const fixture = libsqlHttpFixture()
  const metadata = new MetaData()
  const counters = table("read_batch_counters", { id: column(Integer, { primaryKey: true }) }, { metadata })

  it("do not wait for a writer", async () => {
    const engine = fixture.engine(`read-batch-${Date.now().toString(36)}`)
    await using writer = engine.connect()
    await using reader = engine.connect()
    await createAll(metadata, writer)
    try {
      await writer.begin()
      await writer.execute(insert(counters).values({ id: 1 }))
      const [count, max] = await reader.batch([
        select(func.count()).selectFrom(counters),
        select(func.max(counters.c.id)),
      ])
      expect([count?.scalar(), max?.scalar()]).toEqual([0, null])
      await writer.rollback()
    } finally {
      await dropAll(metadata, writer)
    }
  })
})
