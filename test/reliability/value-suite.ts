// The value round trips of one transport: every value of every column type goes in and comes back
// exactly, written by Core (INSERT ... RETURNING) and by the ORM (a session's commit), read back by a
// fresh SELECT. Run in Node on all four transports (value-round-trips.test.ts) and inside workerd on
// the web ones (test/workers/value-round-trips.test.ts). Seeds are fixed: a run is the same every time.
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { AsyncSession, insert, select, selectinload } from "../../src/index.ts"
import type { TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { checkProperty } from "./property-runs.ts"
import {
  canonicalDecimal,
  decimalText,
  expectedValue,
  readValue,
  type ValueKey,
  type ValueRow,
  valueArbitraries,
  valueRow,
  valueTables,
} from "./value-columns.ts"

const KEYS = Object.keys(valueArbitraries) as ValueKey[]
const rows = fc.array(valueRow, { minLength: 1, maxLength: 6 })
/** Runs per property: fewer on Neon's WebSocket, whose statements cost the most on a loaded machine. */
const runs = (fixture: TransportFixture, count: number) =>
  fixture.name === "neon-websocket" ? Math.ceil(count / 3) : count

const expectedRows = (written: readonly ValueRow[]) =>
  written.map((row) => Object.fromEntries(KEYS.map((key) => [key, expectedValue(key, row[key])])))
const readRows = (read: readonly Record<string, unknown>[]) =>
  read.map((row) => Object.fromEntries(KEYS.map((key) => [key, readValue(key, row[key])])))

/** `prefix` names the suite's tables (one per runtime); `seedOffset` gives each transport its values. */
export function valueRoundTrips(fixture: TransportFixture, prefix: string, seedOffset: number): void {
  const tables = valueTables(prefix)
  const where = prefix === "rv" ? "" : ` (${prefix})`
  describe(`values on ${fixture.name}`, () => {
    const engine = fixture.engine(`${prefix}-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, tables.metadata)
    freshSchema(engine, tables.registry.metadata)

    it("reads back every value Core wrote, column by column", async () => {
      await using connection = engine.connect()
      const property = fc.asyncProperty(rows, async (written) => {
        const inserted = await connection.execute(
          insert(tables.core)
            .values(written as never)
            .returning(tables.core.c.id),
        )
        const ids = inserted.scalars().all()
        const read = await connection.execute(
          select(tables.core).where(tables.core.c.id.in(ids)).orderBy(tables.core.c.id),
        )
        expect(readRows(read.scalars().all() as Record<string, unknown>[])).toEqual(expectedRows(written))
      })
      await checkProperty(`core round trip on ${fixture.name}${where}`, property, {
        seed: 1301 + seedOffset,
        numRuns: runs(fixture, 30),
      })
    }, 30_000)

    it("reads back every value a session committed, and the committed objects hold the same", async () => {
      // One writing and one reading session for all runs: each run's rows are new to both.
      await using writer = new AsyncSession(engine)
      await using reader = new AsyncSession(engine)
      const property = fc.asyncProperty(rows, async (written) => {
        const objects = written.map((row) => new tables.orm(row as never))
        writer.addAll(objects)
        await writer.commit()
        const committed = objects as unknown as Record<string, unknown>[]
        expect(readRows(committed)).toEqual(expectedRows(written))
        const read = await reader.scalars(
          select(tables.orm)
            .where(tables.orm.id.in(objects.map((object) => object.id)))
            .orderBy(tables.orm.id),
        )
        expect(readRows(read.all() as unknown as Record<string, unknown>[])).toEqual(expectedRows(written))
      })
      await checkProperty(`orm round trip on ${fixture.name}${where}`, property, {
        seed: 1311 + seedOffset,
        numRuns: runs(fixture, 20),
      })
    }, 30_000)

    it("reads back every value through a one-statement load: the query's rows and the loaded children", async () => {
      const { owner: Owner, loaded: Loaded } = tables
      await using writer = new AsyncSession(engine)
      const property = fc.asyncProperty(rows, async (written) => {
        const owner = new Owner()
        const objects = written.map((row) => new Loaded({ ...(row as object), owner } as never))
        writer.add(owner)
        await writer.commit()
        const ids = objects.map((object) => object.id)
        // Fresh sessions: every value comes from the load's JSON, none from objects already known.
        await using reader = new AsyncSession(engine)
        const queried = await reader.scalars(
          select(Loaded).where(Loaded.id.in(ids)).orderBy(Loaded.id).options(selectinload(Loaded.owner)),
        )
        expect(readRows(queried.all() as unknown as Record<string, unknown>[])).toEqual(expectedRows(written))
        expect(queried.all().every((object) => object.owner?.id === owner.id)).toBe(true)
        await using other = new AsyncSession(engine)
        const [loadedOwner] = (
          await other.scalars(select(Owner).where(Owner.id.eq(owner.id)).options(selectinload(Owner.values)))
        ).all()
        const children = [...(loadedOwner?.values ?? [])].sort((a, b) => a.id - b.id)
        expect(readRows(children as unknown as Record<string, unknown>[])).toEqual(expectedRows(written))
      })
      await checkProperty(`one-statement load on ${fixture.name}${where}`, property, {
        seed: 1331 + seedOffset,
        numRuns: runs(fixture, 20),
      })
    }, 30_000)

    it("reads back the JSON documents that are strings, numbers, booleans and null inside arrays", async () => {
      const documents = [
        "123",
        "true",
        "null",
        "[1,2]",
        "hello",
        "",
        '"quoted"',
        42,
        1.5,
        true,
        [null, "x"],
        {},
        [],
      ]
      await using connection = engine.connect()
      const ids = (
        await connection.execute(
          insert(tables.core)
            .values(documents.map((doc) => ({ doc })) as never)
            .returning(tables.core.c.id),
        )
      )
        .scalars()
        .all()
      const read = await connection.execute(
        select(tables.core.c.doc).where(tables.core.c.id.in(ids)).orderBy(tables.core.c.id),
      )
      expect(read.scalars().all()).toEqual(documents)
    })

    it("reads back -99999999999999999999999999971.1390140253 exactly where the column keeps it, and refuses it where not", async () => {
      const value = "-99999999999999999999999999971.1390140253"
      await using connection = engine.connect()
      const write = connection.execute(
        insert(tables.wide).values({ wide: value }).returning(tables.wide.c.wide),
      )
      if (fixture.dialect === "sqlite") {
        await expect(write).rejects.toMatchObject({ name: "DataError" })
        return
      }
      expect((await write).scalar()).toBe(value)
    })

    if (fixture.name === "neon-http") {
      it("keeps up to 40 digits in a Numeric(40, 10) on PostgreSQL", async () => {
        const wide = fc
          .tuple(
            fc.bigInt({ min: -(10n ** 40n) + 1n, max: 10n ** 40n - 1n }),
            fc.integer({ min: 0, max: 10 }),
          )
          .map(([m, cut]) => decimalText(m / 10n ** BigInt(cut), -10 + cut))
        await using connection = engine.connect()
        const property = fc.asyncProperty(wide, async (value) => {
          const read = await connection.execute(
            insert(tables.wide).values({ wide: value }).returning(tables.wide.c.wide),
          )
          expect(canonicalDecimal(read.scalar() as string)).toBe(canonicalDecimal(value))
        })
        await checkProperty(`wide numeric on ${fixture.name}${where}`, property, { seed: 1321, numRuns: 40 })
      }, 30_000)
    }
  })
}
