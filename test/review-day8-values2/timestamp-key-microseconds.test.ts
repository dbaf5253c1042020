// PostgreSQL keeps a timestamp's microseconds; a JS Date (what the Neon driver gives) milliseconds. Two
// rows keyed '...00.123456' and '...00.123789' (a (device, at) key whose `at` defaults to now()) came
// back from one query as the same object twice: the identity map took both keys for one, and the
// second row's reading was lost without an error. A DateTime in a primary key is now
// TIMESTAMP(3) WITH TIME ZONE on PostgreSQL (createAll, and autogenerate's model of the table), so a
// stored key is what a Date holds: the two rows are two objects. A table made before is altered to it by
// autogenerate's revision, which fails, naming a value, where a key would be rounded.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  createAll,
  DateTime,
  dropAll,
  Float,
  Integer,
  model,
  Registry,
  select,
  text,
} from "../../src/index.ts"
import { neonFixture } from "../engine/transports.ts"
import { type MigrationDatabases, migrationDatabases } from "../migrate/databases.ts"
import { revisionFolder } from "../migrate/revision-folder.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Reading extends model(
  "d8v2_readings",
  {
    device: column(Integer, { primaryKey: true }),
    at: column(DateTime, { primaryKey: true }),
    value: column(Float),
  },
  { registry },
) {}
registry.registerModels(Reading)

const AT_TYPE =
  "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'd8v2_readings'::regclass AND attname = 'at'"
const INSERT =
  "INSERT INTO d8v2_readings (device, at, value) VALUES (1, '2026-01-01 00:00:00.123456+00', 1.5), (1, '2026-01-01 00:00:00.123789+00', 2.5)"

describe("a DateTime primary key with microseconds on neon-http", () => {
  const fixture = neonFixture("http", ws)
  const engine = fixture.engine(`d8v2-tskey-${Date.now().toString(36)}`)
  freshSchema(engine, registry.metadata)

  it("createAll makes it timestamptz(3): two rows are two objects, each with its value", async () => {
    await engine.execute(text(INSERT))
    await using session = new AsyncSession(engine)
    const readings = (await session.scalars(select(Reading).orderBy(Reading.value))).all()
    // The old DDL (timestamptz): the same object twice, value 1.5 both times; 2.5 was lost.
    expect(readings.map((r) => [r.at.toISOString(), r.value])).toEqual([
      ["2026-01-01T00:00:00.123Z", 1.5],
      ["2026-01-01T00:00:00.124Z", 2.5],
    ])
    expect(readings[0]).not.toBe(readings[1])
    const type = await engine.execute(text(AT_TYPE))
    expect(type.all()).toEqual([["timestamp(3) with time zone"]])
  })

  it("two keys within one millisecond are a duplicate key, not one object", async () => {
    await expect(
      engine.execute(
        text(
          "INSERT INTO d8v2_readings (device, at, value) VALUES (2, '2026-01-01 00:00:00.1231+00', 1), (2, '2026-01-01 00:00:00.1232+00', 2)",
        ),
      ),
    ).rejects.toThrow(/duplicate key/)
  })
})

describe("autogenerate over a DateTime key on neon-http", () => {
  let databases: MigrationDatabases
  beforeAll(async () => {
    databases = await migrationDatabases()
  })
  afterAll(() => databases.stop())

  const target = () => {
    const found = databases.targets.find((t) => t.name === "neon-http")
    if (!found) throw new Error("neon-http")
    return found
  }

  it("sees createAll's table as the model, and alters a table made before to timestamptz(3)", async () => {
    const engine = target().engine(`d8v2-tsmig-${Date.now().toString(36)}`)
    await using connection = engine.connect()
    await dropAll(registry.metadata, connection)
    await createAll(registry.metadata, connection)
    const folder = revisionFolder(engine)
    expect((await folder.write(registry.metadata, "none")).changes).toEqual([])
    await dropAll(registry.metadata, connection)

    // A table made before: microsecond keys.
    await engine.execute(
      text(
        "CREATE TABLE d8v2_readings (device INTEGER NOT NULL, at TIMESTAMP WITH TIME ZONE NOT NULL, value DOUBLE PRECISION NOT NULL, PRIMARY KEY (device, at))",
      ),
    )
    await engine.execute(text(INSERT))
    {
      // What such a table still does until it is migrated (README): one object twice, 2.5 lost.
      await using session = new AsyncSession(engine)
      const readings = (await session.scalars(select(Reading).orderBy(Reading.value))).all()
      expect(readings.map((r) => [r.at.toISOString(), r.value])).toEqual([
        ["2026-01-01T00:00:00.123Z", 1.5],
        ["2026-01-01T00:00:00.123Z", 1.5],
      ])
      expect(readings[0]).toBe(readings[1])
    }
    const later = revisionFolder(engine)
    const { changes } = await later.write(registry.metadata, "key precision")
    expect(changes.flatMap((c) => c.upgrade.map((op) => op.kind))).toEqual(["alterColumn"])
    // A key would be rounded: the revision fails, naming a value, and changes nothing.
    await expect(later.migrator().upgrade()).rejects.toThrow(
      /would change its values \(2026-01-01 00:00:00\.123456\+00 would become 2026-01-01 00:00:00\.123\+00\)/,
    )
    expect((await engine.execute(text(AT_TYPE))).all()).toEqual([["timestamp with time zone"]])
    // Mended as the message says, it goes through; the rows are two objects.
    await engine.execute(
      text("UPDATE d8v2_readings SET at = date_trunc('milliseconds', at) + (value - 1.5) * interval '1 ms'"),
    )
    await later.migrator().upgrade()
    expect((await engine.execute(text(AT_TYPE))).all()).toEqual([["timestamp(3) with time zone"]])
    await using session = new AsyncSession(engine)
    const readings = (await session.scalars(select(Reading).orderBy(Reading.value))).all()
    expect(readings.map((r) => [r.at.toISOString(), r.value])).toEqual([
      ["2026-01-01T00:00:00.123Z", 1.5],
      ["2026-01-01T00:00:00.124Z", 2.5],
    ])
  })
})
