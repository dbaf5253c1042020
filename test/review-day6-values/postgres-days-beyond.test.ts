// PostgreSQL holds days and instants a JS value of ours cannot say: 'infinity' and '-infinity' (common
// sentinels, `valid_until = 'infinity'`), days before year 1 ('0044-03-15 BC') and after 9999. A model
// mapped onto such a database read them wrong, silently: a DateTime 'infinity' was an Invalid Date, and
// a DateOnly was cut to ten characters of whatever the driver gave ('0044-03-15 BC' read '0044-03-15',
// a day 2,087 years off, through a load and '-000043-03' through get(); '10000-01-01' read
// '+010000-01' or '10000-01-0'; 'infinity' read 'Infinity' or 'infinity'). Now each is a DataError
// naming the value, on every read path, as SQLite's unreadable timestamps are; instants before year 1
// or after 9999 still read as the exact Dates they are.
import { afterEach, describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  DateOnly,
  DateTime,
  Integer,
  joinedload,
  model,
  Registry,
  relationship,
  select,
  selectinload,
  text,
} from "../../src/index.ts"
import { neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Calendar extends model(
  "d6v_calendars",
  {
    id: column(Integer, { primaryKey: true }),
    entries: relationship<Entry[]>("Entry", { backPopulates: "calendar" }),
  },
  { registry },
) {}
class Entry extends model(
  "d6v_entries",
  {
    id: column(Integer, { primaryKey: true }),
    calendarId: column(Integer, { foreignKey: "d6v_calendars.id" }),
    calendar: relationship<Calendar>("Calendar", { backPopulates: "entries" }),
    at: column(DateTime, { nullable: true }),
    day: column(DateOnly, { nullable: true }),
  },
  { registry },
) {}
registry.registerModels(Calendar, Entry)

type Key = "at" | "day"
/** What each read path gives for the entry `id`'s column `key`. */
const reads: Record<string, (session: AsyncSession, id: number, key: Key) => Promise<unknown>> = {
  "get()": async (session, id, key) => (await session.get(Entry, id))?.[key],
  "a column select": async (session, id, key) =>
    (await session.execute(select(Entry[key]).where(Entry.id.eq(id)))).scalar(),
  selectinload: async (session, id, key) => {
    const calendar = (
      await session.scalars(
        select(Calendar).where(Calendar.id.eq(id)).options(selectinload(Calendar.entries)),
      )
    ).one()
    return calendar.entries[0]?.[key]
  },
  joinedload: async (session, id, key) => {
    const calendar = (
      await session.scalars(select(Calendar).where(Calendar.id.eq(id)).options(joinedload(Calendar.entries)))
    )
      .unique()
      .one()
    return calendar.entries[0]?.[key]
  },
}

const unreadable: [Key, string][] = [
  ["at", "'infinity'"],
  ["at", "'-infinity'"],
  ["day", "'infinity'"],
  ["day", "'-infinity'"],
  ["day", "'0044-03-15 BC'"],
  ["day", "'0001-12-31 BC'"],
  ["day", "'10000-01-01'"],
]
const readable: [Key, string, unknown][] = [
  ["at", "'0044-03-15 12:00:00+00 BC'", new Date(Date.UTC(-43, 2, 15, 12))],
  ["at", "'10000-01-01 00:00:00.5+00'", new Date(Date.UTC(10000, 0, 1, 0, 0, 0, 500))],
  ["at", "'0001-01-01 00:00:00+00'", new Date("0001-01-01T00:00:00.000Z")],
  ["day", "'0001-01-01'", "0001-01-01"],
  ["day", "'9999-12-31'", "9999-12-31"],
]

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws)]) {
  describe(`days and instants beyond ours on ${fixture.name}`, () => {
    const engine = fixture.engine(`d6v-days-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    const zone = process.env.TZ
    afterEach(() => {
      if (zone === undefined) delete process.env.TZ
      else process.env.TZ = zone
    })

    let nextId = 1
    /** An entry (in a calendar of its own id) whose column `key` another program set to `sql`. */
    async function written(key: Key, sql: string): Promise<number> {
      const id = nextId++
      await using connection = engine.connect()
      await connection.execute(text(`INSERT INTO d6v_calendars (id) VALUES (${id})`))
      await connection.execute(
        text(`INSERT INTO d6v_entries (id, "calendarId", ${key}) VALUES (${id}, ${id}, ${sql})`),
      )
      return id
    }

    // In a zone other than UTC the driver is given its own parsers (a date stays its text): both kinds.
    for (const tz of ["UTC", "America/New_York"]) {
      for (const [key, sql] of unreadable) {
        it(`${key} ${sql} is a DataError on every read path (TZ=${tz})`, async () => {
          process.env.TZ = tz
          const id = await written(key, sql)
          for (const [path, read] of Object.entries(reads)) {
            await using session = new AsyncSession(engine)
            await expect(read(session, id, key), path).rejects.toMatchObject({
              name: "DataError",
              message: expect.stringContaining(key === "at" ? "datetime" : "date"),
            })
          }
        })
      }
      for (const [key, sql, expected] of readable) {
        it(`${key} ${sql} reads back exactly on every read path (TZ=${tz})`, async () => {
          process.env.TZ = tz
          const id = await written(key, sql)
          for (const [path, read] of Object.entries(reads)) {
            await using session = new AsyncSession(engine)
            expect(await read(session, id, key), path).toEqual(expected)
          }
        })
      }
    }
  })
}
