// libsql-local's connections each cache the schema: one must see what another changed, as sqld's do.
// SQLite checks its cached schema when a statement runs, not when one is prepared, so a pooled
// connection that last read a table before another redefined it failed to prepare an INSERT of the new
// columns, or gave a SELECT * the old ones (found by the official client's suite, one run in ten).
import { afterEach, describe, expect, it } from "vitest"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"
import { pipeline } from "../contract/hrana-pipeline.ts"

const started: LibsqlLocal[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((local) => local.stop()))
})

describe("libsql-local's connections and the schema", () => {
  it("a stream's connection sees a table another stream redefined", async () => {
    const local = await startLibsqlLocal({ port: 0 })
    started.push(local)
    await pipeline(local.url, null, ["CREATE TABLE t (a INTEGER)", "INSERT INTO t VALUES (1)"], true)
    // Stream A reads t, and keeps its connection (its baton) while stream B, on another, redefines t.
    const a = await pipeline(local.url, null, ["SELECT * FROM t"])
    await pipeline(local.url, null, ["DROP TABLE t", "CREATE TABLE t (w, x, y, z)"], true)
    const inserted = await pipeline(
      local.url,
      a.baton,
      ["INSERT INTO t VALUES (1, 2, 3, 4)", "SELECT * FROM t"],
      true,
    )
    expect(inserted.results.map((r) => r.type)).toEqual(["ok", "ok", "ok"])
    expect(inserted.results[1]?.response?.result.cols.map((c) => c.name)).toEqual(["w", "x", "y", "z"])
  })
})
