// Columns read back that hold more, or other, than their model says: a database mapped as it was found,
// or written by another program.
//
// An Integer: a JS number holds whole numbers up to 2^53 exactly, and a column mapped as Integer can
// hold more (a 64-bit SQLite INTEGER, an int8, text SQLite took). Rounded silently, two rows' keys
// became one: the identity map then handed out one object for both; text read as NaN. Such a value is
// refused with a DataError naming it; BigInteger reads it exactly.
//
// On PostgreSQL, a Boolean mapped onto an integer flag column read 1 as false, and a DateOnly mapped
// onto a timestamptz column read "Mon Jan 01" (the text of a Date, cut).

import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  BigInteger,
  Boolean,
  column,
  DataError,
  DateOnly,
  DateTime,
  Integer,
  Json,
  model,
  Registry,
  String,
  select,
  text,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const BEYOND = "9007199254740993" // 2^53 + 1: as a number, 2^53
const NEXT = "9007199254740994"

function integersRead(fixture: TransportFixture): void {
  describe(`Integer columns read on ${fixture.name}`, () => {
    const engine = fixture.engine(`integers-read-${fixture.name}`)
    const registry = new Registry()
    // The table's id is 64-bit on both databases; the model says Integer, as a model written for a
    // small table would, and a second model of the same table says BigInteger.
    class IrSmall extends model(
      "ir_rows",
      { id: column(BigInteger, { primaryKey: true }), n: column(Integer, { nullable: true }) },
      { registry },
    ) {}
    class IrNarrow extends model(
      "ir_rows_narrow",
      { id: column(Integer, { primaryKey: true }), label: column(String(20)) },
      { registry },
    ) {}
    class IrWide extends model(
      "ir_rows_wide",
      { id: column(BigInteger, { primaryKey: true }), label: column(String(20)) },
      { registry },
    ) {}
    freshSchema(engine, registry.metadata)

    it("refuses an id beyond 2^53 mapped as Integer, rather than rounding two rows into one", async () => {
      await using session = new AsyncSession(engine)
      // Both tables hold the same two rows, 64-bit ids written around edgealchemy.
      for (const table of ["ir_rows_narrow", "ir_rows_wide"]) {
        if (fixture.dialect === "postgresql") {
          await session.execute(text(`ALTER TABLE ${table} ALTER COLUMN id TYPE BIGINT`))
        }
        await session.execute(
          text(`INSERT INTO ${table} (id, label) VALUES (${BEYOND}, 'first'), (${NEXT}, 'second')`),
        )
      }
      await session.commit()
      const read = session.scalars(select(IrNarrow).orderBy(IrNarrow.label))
      await expect(read).rejects.toThrow(DataError)
      // PostgreSQL's int8 arrives as text ("..."), SQLite's as a bigint.
      await expect(read).rejects.toThrow(new RegExp(`An integer value cannot hold "?${BEYOND}"?:`))
      // Mapped as what it holds, each row is its own object with its exact key.
      const wide = (await session.scalars(select(IrWide).orderBy(IrWide.label))).all()
      expect(wide.map((row) => [row.id, row.label])).toEqual([
        [BigInt(BEYOND), "first"],
        [BigInt(NEXT), "second"],
      ])
    })

    it("refuses text an Integer column holds, and reads whole numbers and fractions as they are", async () => {
      await using session = new AsyncSession(engine)
      session.add(new IrSmall({ id: 1n, n: -(2 ** 31) }))
      await session.commit()
      expect((await session.get(IrSmall, 1n))?.n).toBe(-(2 ** 31))
      await session.execute(
        text(
          fixture.dialect === "postgresql" ? "ALTER TABLE ir_rows ALTER COLUMN n TYPE TEXT" : "SELECT 1", // SQLite's INTEGER column keeps text it cannot convert as it is
        ),
      )
      await session.execute(text("INSERT INTO ir_rows (id, n) VALUES (2, '1.5'), (3, 'abc')"))
      await session.commit()
      // SQLite made the text a REAL; PostgreSQL's column is text now. A number holds 1.5 exactly: it is
      // kept, as raw SQL typed Integer may give a fraction (test/orm/loading-attacks-suite.ts).
      expect(await session.scalar(select(IrSmall.n).where(IrSmall.id.eq(2n)))).toBe(1.5)
      const word = session.scalar(select(IrSmall.n).where(IrSmall.id.eq(3n)))
      await expect(word).rejects.toThrow('An integer value cannot hold "abc"')
    })
  })
}

describe("PostgreSQL columns of another type than their model's", () => {
  const engine = neonFixture("http", ws).engine("columns-read-flags")
  const registry = new Registry()
  class IrFlag extends model(
    "ir_flags",
    {
      id: column(Integer, { primaryKey: true }),
      active: column(Boolean, { nullable: true }),
      day: column(DateOnly, { nullable: true }),
    },
    { registry },
  ) {}
  freshSchema(engine, registry.metadata)

  it("reads a Boolean on an integer column as nonzero, and a DateOnly on a timestamptz as its UTC day", async () => {
    await using session = new AsyncSession(engine)
    await session.execute(text("ALTER TABLE ir_flags ALTER COLUMN active TYPE INTEGER USING active::int"))
    await session.execute(
      text("ALTER TABLE ir_flags ALTER COLUMN day TYPE TIMESTAMP WITH TIME ZONE USING day::timestamptz"),
    )
    await session.execute(
      text(
        "INSERT INTO ir_flags VALUES (1, 1, '2024-01-01 23:30:00+00'), (2, 0, NULL), (3, 5, '2024-02-29 00:00:00+00')",
      ),
    )
    await session.commit()
    const rows = (await session.scalars(select(IrFlag).orderBy(IrFlag.id))).all()
    expect(rows.map((row) => [row.active, row.day])).toEqual([
      [true, "2024-01-01"],
      [false, null],
      [true, "2024-02-29"],
    ])
  })
})

describe("SQLite columns holding what their model cannot read", () => {
  const engine = libsqlHttpFixture().engine("columns-read-sqlite")
  const registry = new Registry()
  class IrStamp extends model(
    "ir_stamps",
    {
      id: column(Integer, { primaryKey: true }),
      at: column(DateTime, { nullable: true }),
      doc: column(Json, { nullable: true }),
    },
    { registry },
  ) {}
  freshSchema(engine, registry.metadata)

  it("refuses a DateTime that is no timestamp or a number, and a Json that is no JSON, naming the value", async () => {
    await using session = new AsyncSession(engine)
    // Written around edgealchemy: epoch seconds (as other ORMs store SQLite timestamps), text, bad JSON.
    await session.execute(
      text(
        `INSERT INTO ir_stamps VALUES (1, 1700000000, NULL), (2, 'soon', NULL), (3, NULL, '{"a":'), ` +
          `(4, '2024-05-06 07:08:09.010', '{"a":[1]}')`,
      ),
    )
    await session.commit()
    const at = (id: number) => session.scalar(select(IrStamp.at).where(IrStamp.id.eq(id)))
    const doc = (id: number) => session.scalar(select(IrStamp.doc).where(IrStamp.id.eq(id)))
    await expect(at(1)).rejects.toThrow("A datetime value cannot hold 1700000000: read from the database")
    await expect(at(2)).rejects.toThrow('A datetime value cannot hold "soon"')
    await expect(doc(3)).rejects.toThrow('A json value cannot hold "{\\"a\\":"')
    expect((await at(4))?.toISOString()).toBe("2024-05-06T07:08:09.010Z")
    expect(await doc(4)).toEqual({ a: [1] })
  })
})

integersRead(neonFixture("http", ws))
integersRead(libsqlHttpFixture())
