// A PostgreSQL `timestamp` (without time zone, as Prisma and other tools make DateTime columns) holds
// UTC as edgealchemy reads and writes it. Models make `timestamptz`, so autogenerate over such a table
// writes a type change, and ALTER COLUMN ... TYPE timestamptz read each value in the session's TimeZone:
// on a database whose TimeZone is not UTC (ALTER DATABASE ... SET timezone, a self-hosted server's
// default) every instant moved by the zone's offset, silently (10:00Z became 15:00Z for New York). The
// downgrade moved them back the other way only in the same zone. The cast now runs in UTC (SET LOCAL for
// the statement, the session's zone restored after), so the instants stay, either way.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  column,
  DateOnly,
  DateTime,
  type Engine,
  Integer,
  MetaData,
  select,
  table,
  text,
} from "../../src/index.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "../migrate/databases.ts"
import { revisionFolder } from "../migrate/revision-folder.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
afterAll(() => databases.stop())

const instants = async (engine: Engine, at: ReturnType<typeof table>["c"][string]) =>
  (await engine.execute(select(at))).all().map(([value]) => (value as Date).toISOString())

// The WebSocket transport opens a session of its own, which takes the database's TimeZone (neon-local's
// HTTP endpoint reuses sessions opened before the ALTER DATABASE).
describe.each(["neon-websocket"] satisfies TargetName[])(
  "on %s, the database's TimeZone New York",
  (name) => {
    it("a timestamp made timestamptz, and back, keeps its instants", async () => {
      const target = databases.targets.find((t) => t.name === name)
      if (!target) throw new Error(name)
      const engine = target.engine(`d8t-${name}`)
      const database = (await engine.execute(text("SELECT current_database()"))).all()[0]?.[0]
      await engine.execute(text(`ALTER DATABASE "${database}" SET timezone TO 'America/New_York'`))
      const folder = revisionFolder(engine)
      try {
        expect((await engine.execute(text("SHOW timezone"))).all()).toEqual([["America/New_York"]])
        await engine.execute(
          text(
            "CREATE TABLE d8t_events (id INTEGER PRIMARY KEY, at TIMESTAMP NOT NULL, day TIMESTAMP NOT NULL)",
          ),
        )
        await engine.execute(
          text(
            "INSERT INTO d8t_events VALUES (1, '2024-01-01 10:00:00', '2024-01-01 00:00:00'), (2, '2024-07-01 02:30:00', '2024-07-01 00:00:00')",
          ),
        )
        const metadata = new MetaData()
        const events = table(
          "d8t_events",
          { id: column(Integer, { primaryKey: true }), at: column(DateTime), day: column(DateOnly) },
          { metadata },
        )
        const before = await instants(engine, events.c.at)
        expect(before).toEqual(["2024-01-01T10:00:00.000Z", "2024-07-01T02:30:00.000Z"])

        const { changes } = await folder.write(metadata, "zoned")
        expect(changes.flatMap((c) => c.upgrade.map((op) => op.kind))).toEqual(["alterColumn", "alterColumn"])
        await folder.migrator().upgrade()
        // 15:00Z and 06:30Z on the old code.
        expect(await instants(engine, events.c.at)).toEqual(before)
        // A UTC midnight stays that day (the day before, in New York, on the old code).
        expect((await engine.execute(text("SELECT day::text FROM d8t_events ORDER BY id"))).all()).toEqual([
          ["2024-01-01"],
          ["2024-07-01"],
        ])
        // The session's zone is what it was after the revision's cast.
        expect((await engine.execute(text("SHOW timezone"))).all()).toEqual([["America/New_York"]])

        await folder.migrator().downgrade("base")
        expect((await engine.execute(text("SELECT at::text FROM d8t_events ORDER BY id"))).all()).toEqual([
          ["2024-01-01 10:00:00"],
          ["2024-07-01 02:30:00"],
        ])
      } finally {
        folder.remove()
        await engine.execute(text(`ALTER DATABASE "${database}" RESET timezone`))
      }
    })
  },
)
