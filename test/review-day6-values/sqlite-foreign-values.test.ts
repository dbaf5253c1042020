// SQLite columns take whatever another program writes into them (a REAL column keeps 'abc', a BOOLEAN or
// DATE column, of NUMERIC affinity, keeps the text 'false' and the number 20240506). A model mapped onto
// such a database read some of these as other values, silently: a Float's 'abc' read NaN and its ''
// read 0; a Boolean's 'false' or 'f' read true (PostgreSQL's codec reads them false); a DateOnly's
// 20240506 read the string "20240506" through get() and the number 20240506 through a load. Now the
// Float and DateOnly ones are DataErrors naming the value (as Integer's and DateTime's are), and a
// Boolean's 'false' and 'f' are false, on every read path.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import {
  AsyncSession,
  Boolean,
  column,
  DateOnly,
  Float,
  Integer,
  joinedload,
  model,
  Registry,
  relationship,
  select,
  selectinload,
  text,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"

const registry = new Registry()
class Sheet extends model(
  "d6v_sheets",
  {
    id: column(Integer, { primaryKey: true }),
    cells: relationship<Cell[]>("Cell", { backPopulates: "sheet" }),
  },
  { registry },
) {}
class Cell extends model(
  "d6v_cells",
  {
    id: column(Integer, { primaryKey: true }),
    sheetId: column(Integer, { foreignKey: "d6v_sheets.id" }),
    sheet: relationship<Sheet>("Sheet", { backPopulates: "cells" }),
    ratio: column(Float, { nullable: true }),
    done: column(Boolean, { nullable: true }),
    day: column(DateOnly, { nullable: true }),
  },
  { registry },
) {}
registry.registerModels(Sheet, Cell)

type Key = "ratio" | "done" | "day"
const reads: Record<string, (session: AsyncSession, id: number, key: Key) => Promise<unknown>> = {
  "get()": async (session, id, key) => (await session.get(Cell, id))?.[key],
  "a column select": async (session, id, key) =>
    (await session.execute(select(Cell[key]).where(Cell.id.eq(id)))).scalar(),
  selectinload: async (session, id, key) =>
    (await session.scalars(select(Sheet).where(Sheet.id.eq(id)).options(selectinload(Sheet.cells)))).one()
      .cells[0]?.[key],
  joinedload: async (session, id, key) =>
    (await session.scalars(select(Sheet).where(Sheet.id.eq(id)).options(joinedload(Sheet.cells))))
      .unique()
      .one().cells[0]?.[key],
}

const unreadable: [Key, string][] = [
  ["ratio", "'abc'"],
  ["ratio", "''"],
  ["ratio", "x'01'"],
  ["day", "20240506"],
  ["day", "2024.5"],
]
const readable: [Key, string, unknown][] = [
  ["done", "'false'", false],
  ["done", "'f'", false],
  ["done", "0", false],
  ["done", "1", true],
  ["done", "'true'", true],
  ["ratio", "1.5", 1.5],
  ["ratio", "'2.5'", 2.5],
  ["ratio", "9007199254740993", 9007199254740992],
  ["day", "'2024-05-06'", "2024-05-06"],
]

const fixtures = [
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("d6v-foreign"), "foreign.db")),
]
for (const fixture of fixtures) {
  describe(`values another program wrote, on ${fixture.name}`, () => {
    const engine = fixture.engine(`d6v-foreign-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    let nextId = 1
    async function written(key: Key, sql: string): Promise<number> {
      const id = nextId++
      await using connection = engine.connect()
      await connection.execute(text(`INSERT INTO d6v_sheets (id) VALUES (${id})`))
      await connection.execute(
        text(`INSERT INTO d6v_cells (id, "sheetId", ${key}) VALUES (${id}, ${id}, ${sql})`),
      )
      return id
    }

    for (const [key, sql] of unreadable) {
      it(`${key} ${sql} is a DataError on every read path`, async () => {
        const id = await written(key, sql)
        for (const [path, read] of Object.entries(reads)) {
          await using session = new AsyncSession(engine)
          await expect(read(session, id, key), path).rejects.toMatchObject({
            name: "DataError",
            message: expect.stringContaining(key === "day" ? "A date value" : "A float value"),
          })
        }
      })
    }
    for (const [key, sql, expected] of readable) {
      it(`${key} ${sql} reads ${String(expected)} on every read path`, async () => {
        const id = await written(key, sql)
        for (const [path, read] of Object.entries(reads)) {
          await using session = new AsyncSession(engine)
          expect(await read(session, id, key), path).toEqual(expected)
        }
      })
    }
  })
}
