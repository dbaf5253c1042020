// Autogenerate and CHECK constraints, over rows, on both databases: a CHECK whose values change (an
// Enum given a new value, `total >= -1` made `total >= 0`) is dropped and created again, while the
// same CHECK as the database rewrote it (PostgreSQL casts negative numbers: `'-1'::integer`) is no
// change; a column dropped takes its CHECK with it (SQLite's rebuild included), and a CHECK dropped
// beside it is still dropped, even when its SQL contains the column's name (`tot` in `total`).
// Widening an autoincrement key from Integer to BigInteger is a change too (PostgreSQL's `int4` would
// overflow); on SQLite every rowid key is 64-bit already.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  BigInteger,
  check,
  column,
  Enum,
  Integer,
  IntegrityError,
  MetaData,
  table,
  text,
} from "../../src/index.ts"
import type { Change } from "../../src/migrate.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "./databases.ts"
import { type RevisionFolder, revisionFolder } from "./revision-folder.ts"

let databases: MigrationDatabases
const folders: RevisionFolder[] = []
beforeAll(async () => {
  databases = await migrationDatabases()
})
afterAll(async () => {
  await databases.stop()
  for (const folder of folders) folder.remove()
})

interface OrdersVersion {
  readonly bigKey: boolean
  readonly statuses: readonly [string, ...string[]] | undefined
  readonly totalCheck: string | undefined
  readonly tot: boolean
}

function orders({ bigKey, statuses, totalCheck, tot }: OrdersVersion): MetaData {
  const metadata = new MetaData()
  table(
    "orders",
    {
      id: bigKey ? column(BigInteger, { primaryKey: true }) : column(Integer, { primaryKey: true }),
      total: column(Integer),
      ...(statuses ? { status: column(Enum(...statuses), { serverDefault: statuses[0] }) } : {}),
      ...(tot ? { tot: column(Integer, { nullable: true }) } : {}),
    },
    { metadata, constraints: totalCheck ? [check(totalCheck, "ck_orders_total")] : [] },
  )
  return metadata
}

const v1 = orders({ bigKey: false, statuses: ["new", "paid"], totalCheck: "total >= -1", tot: true })
const v2 = orders({
  bigKey: true,
  statuses: ["new", "paid", "refunded"],
  totalCheck: "total >= 0",
  tot: true,
})
const v3 = orders({ bigKey: true, statuses: undefined, totalCheck: undefined, tot: false })

const described = (changes: readonly Change[]) =>
  changes.flatMap((change) =>
    change.upgrade.map(
      (op) =>
        `${op.kind}${"name" in op && op.name ? ` ${op.name}` : ""}${"column" in op ? ` ${typeof op.column === "string" ? op.column : op.column.name}` : ""}`,
    ),
  )

describe.each(["neon-http", "libsql-http"] satisfies TargetName[])("autogenerate of CHECKs on %s", (name) => {
  it("sees changed CHECK values and widened keys, and drops a column with its CHECK", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const postgres = target.dialect === "postgresql"
    const engine = target.engine(`checks-${name}`)
    const folder = revisionFolder(engine)
    folders.push(folder)
    const { migrator } = folder
    const write = async (metadata: MetaData, message: string) =>
      (await folder.write(metadata, message)).changes
    const insert = (values: string) => engine.execute(text(`INSERT INTO orders ${values}`))

    await write(v1, "orders")
    await migrator().upgrade()
    // Read back as the database rewrote them, the CHECKs are what the models say.
    expect(await migrator().compare(v1)).toEqual([])
    await insert("(id, total, status) VALUES (1, -1, 'paid')")

    const second = described(await write(v2, "refunds, no negative totals, 64-bit keys"))
    expect(second).toEqual(
      expect.arrayContaining([
        "dropConstraint ck_orders_status",
        "createCheckConstraint ck_orders_status",
        "dropConstraint ck_orders_total",
        "createCheckConstraint ck_orders_total",
      ]),
    )
    expect(second.includes("alterColumn id")).toBe(postgres)
    // The row that the new CHECK refuses is mended before the upgrade, as a real migration would.
    await engine.execute(text("UPDATE orders SET total = 0 WHERE id = 1"))
    await migrator().upgrade()
    expect(await migrator().compare(v2)).toEqual([])
    await insert("(id, total, status) VALUES (3000000000, 5, 'refunded')")
    await expect(insert("(id, total, status) VALUES (2, -1, 'new')")).rejects.toBeInstanceOf(IntegrityError)
    await expect(insert("(id, total, status) VALUES (2, 1, 'lost')")).rejects.toBeInstanceOf(IntegrityError)

    const third = described(await write(v3, "no status, no tot, no total check"))
    expect(third).toEqual(
      expect.arrayContaining(["dropColumn status", "dropColumn tot", "dropConstraint ck_orders_total"]),
    )
    expect(third).not.toContain("dropConstraint ck_orders_status")
    await migrator().upgrade()
    expect(await migrator().compare(v3)).toEqual([])
    await insert("(id, total) VALUES (4, -7)")
    const ids = await engine.execute(text("SELECT id FROM orders ORDER BY id"))
    expect(ids.all().map(([id]) => Number(id))).toEqual([1, 4, 3000000000])

    // Back to v2: the status column returns with its CHECK (its NOT NULL needs no rows without it).
    await engine.execute(text("DELETE FROM orders"))
    await migrator().downgrade("-1")
    expect(await migrator().compare(v2)).toEqual([])
    await expect(insert("(id, total, status) VALUES (5, 1, 'lost')")).rejects.toBeInstanceOf(IntegrityError)
    await migrator().downgrade("base")
  })
})
