// What autogenerate tells the reviewer of a change that fails over rows already there: a column made
// NOT NULL (while a row holds NULL) and a new unique constraint or index (while two rows share a
// value). The revision applied or failed with no word of it; now each carries a CHECK comment. Written
// without a database: the models' schema against an earlier version of it.
import { describe, expect, it } from "vitest"
import { column, Integer, index, MetaData, postgresql, String, sqlite, table } from "../../src/index.ts"
import { compareSchemas, schemaOfMetadata, writeRevision } from "../../src/migrate.ts"

function members(next: boolean): MetaData {
  const metadata = new MetaData()
  table(
    "mg2_members",
    {
      id: column(Integer, { primaryKey: true }),
      email: column(String(50), { nullable: !next, unique: next }),
      handle: column(String(20), { nullable: true }),
    },
    { metadata, indexes: next ? [index("ix_mg2_members_handle", ["handle"], { unique: true })] : [] },
  )
  return metadata
}

describe.each([postgresql, sqlite])("autogenerate's review comments", (dialect) => {
  it(`warns of changes that fail over existing rows (${dialect.name})`, () => {
    const changes = compareSchemas(
      schemaOfMetadata(members(false), dialect),
      schemaOfMetadata(members(true), dialect),
    )
    const source = writeRevision({ id: "c0ffee00c0de", parent: "c0ffee00beef", message: "stricter", changes })
    expect(source).toContain('// CHECK: Column "mg2_members.email" becomes NOT NULL: the upgrade fails')
    expect(source).toContain(
      "// CHECK: Unique over mg2_members (email): the upgrade fails (and changes nothing)",
    )
    expect(source).toContain(
      "// CHECK: Unique over mg2_members (handle): the upgrade fails (and changes nothing)",
    )
    // Undoing them warns of nothing: a column made nullable again, a constraint dropped, fail over no row.
    const back = compareSchemas(
      schemaOfMetadata(members(true), dialect),
      schemaOfMetadata(members(false), dialect),
    )
    expect(back.filter((c) => c.comment)).toEqual([])
  })
})
