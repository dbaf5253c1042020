// Autogenerate and number defaults, on both databases. A Float column with `serverDefault: 1e21` (or
// 1e-7, 5e-324, the largest double) was an alterColumn on PostgreSQL on every run: JavaScript writes
// such numbers with an exponent, PostgreSQL gives them back as numeric text without one
// ('1000000000000000000000'::numeric, 0.0000001), and the two spellings compared as different. Now a
// number column's default compares by its value, exactly (no rounding through a double), so a real
// change is still seen; and a default read back is a number only when a JavaScript number holds it.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { BigInteger, column, Float, Integer, MetaData, Numeric, Text, table } from "../../src/index.ts"
import { canonicalNumber, readDefault } from "../../src/migrate/defaults.ts"
import { literalColumn } from "../../src/migrate.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "../migrate/databases.ts"
import { type RevisionFolder, revisionFolder } from "../migrate/revision-folder.ts"

let databases: MigrationDatabases
const folders: RevisionFolder[] = []
beforeAll(async () => {
  databases = await migrationDatabases()
})
afterAll(async () => {
  await databases.stop()
  for (const folder of folders) folder.remove()
})

const floats = [1e21, -1e21, 1e-7, -0, 0.1, -1.5, 5e-324, 1.7976931348623157e308, 1e20, 2.5e-8, 1e16]
// Halved too, each fits the Numeric(12, 2) (a default with more decimals is refused: PostgreSQL rounds it).
const numerics = [0.1, -2.5, -0, 0.02, 12345678.9]

function models(divisor: number): MetaData {
  const metadata = new MetaData()
  const columns: Record<string, ReturnType<typeof column>> = { id: column(Integer, { primaryKey: true }) }
  floats.forEach((value, i) => {
    columns[`f${i}`] = column(Float, { serverDefault: value / divisor })
  })
  numerics.forEach((value, i) => {
    columns[`n${i}`] = column(Numeric(12, 2), { serverDefault: value / divisor })
  })
  columns.big = column(BigInteger, { serverDefault: -9007199254740991 })
  // Text that looks like a number stays text: '0.10' is not '0.1'.
  columns.label = column(Text, { serverDefault: divisor === 1 ? "0.10" : "0.1" })
  table("r5n_defaults", columns as never, { metadata })
  return metadata
}

describe.each(["neon-http", "libsql-http"] satisfies TargetName[])("number defaults on %s", (name) => {
  it("are no change once applied, and a changed one is one", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`r5n-defaults-${name}`)
    const folder = revisionFolder(engine)
    folders.push(folder)
    await folder.write(models(1), "number defaults")
    await folder.migrator().upgrade()
    expect(await folder.migrator().compare(models(1))).toEqual([])

    // Halved, each is a change (but -0, which stays -0), and the label's text too.
    const changes = await folder.write(models(2), "halved")
    const altered = changes.changes.flatMap((c) => c.upgrade.map((op) => ("column" in op ? op.column : "")))
    const unchanged = ["f3", "n2"]
    const expected = [...floats.map((_, i) => `f${i}`), ...numerics.map((_, i) => `n${i}`), "label"].filter(
      (c) => !unchanged.includes(c),
    )
    expect(altered.sort()).toEqual(expected.sort())
    await folder.migrator().upgrade()
    expect(await folder.migrator().compare(models(2))).toEqual([])
    // The downgrade (its defaults read back from the database) restores the first models' defaults.
    await folder.migrator().downgrade("-1")
    expect(await folder.migrator().compare(models(1))).toEqual([])
  })
})

describe("a number default's text", () => {
  it.each([
    ["1e+21", "1000000000000000000000"],
    ["1e-7", "0.0000001"],
    ["-0", "0"],
    ["0.10", ".1"],
    ["-1.5E+0", "-1.50"],
    ["5e-324", `0.${"0".repeat(323)}5`],
  ])("%s is %s", (a, b) => {
    expect(canonicalNumber(a)).toBe(canonicalNumber(b))
  })

  it.each([
    ["9007199254740993", "9007199254740992"],
    ["0.1", "0.10000000000000001"],
    ["1e21", "1e22"],
  ])("%s is not %s", (a, b) => {
    expect(canonicalNumber(a)).not.toBe(canonicalNumber(b))
  })

  it("is read back as a number only when a JavaScript number holds it", () => {
    expect(readDefault("(1e+21)", "REAL")).toBe(1e21)
    expect(readDefault("'1000000000000000000000'::numeric", "DOUBLE PRECISION")).toBe(1e21)
    expect(readDefault("(2.5e-8)", "REAL")).toBe(2.5e-8)
    expect(readDefault("'9007199254740993'::bigint", "BIGINT")).toEqual(literalColumn("9007199254740993"))
    expect(readDefault("1", "BOOLEAN")).toBe(true)
    expect(readDefault("'1e5'::text", "TEXT")).toBe("1e5")
    // A text column's number-like text stays text (a downgrade wrote 0.1 for '0.10', 7 for '007').
    expect(readDefault("'0.10'::text", "TEXT")).toBe("0.10")
    expect(readDefault("'007'", "VARCHAR(10)")).toBe("007")
    expect(readDefault("'-1'::integer", "INTEGER")).toBe(-1)
  })
})
