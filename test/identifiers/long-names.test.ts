// Names past PostgreSQL's identifier limit, on real PostgreSQL (Neon HTTP) and real libSQL (HTTP).
// PostgreSQL keeps the first 63 bytes of a name and cuts the rest with only a NOTICE, so two names
// alike in those bytes become one: CREATE INDEX IF NOT EXISTS then skipped the second unique index
// without a word, and duplicates went in. Names made by convention are kept within 63 bytes (UTF-8,
// not characters) by a hash; names the user gives over it, empty or blank are refused before anything
// is sent, on both databases, so that a model that runs on one runs on the other.

import { describe, expect, it } from "vitest"
import {
  check,
  column,
  createAll,
  dropAll,
  Enum,
  Integer,
  IntegrityError,
  InvalidRequestError,
  index,
  insert,
  MetaData,
  type Table,
  table,
  text,
  unique,
} from "../../src/index.ts"
import { declaredConstraints } from "../../src/sql/schema/declared-constraints.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"

const bytes = (name: string) => new TextEncoder().encode(name).length

/** 61 bytes in 32 characters: names made from it pass 63 bytes well before 63 characters. */
const ACCENTED = `il_${"é".repeat(29)}`
/** 61 bytes of ASCII. */
const LONG = `il_${"x".repeat(58)}`

/** A table whose conventional index, unique and check names all pass 63 bytes, alike in their first 63. */
function accented(metadata: MetaData) {
  return table(
    ACCENTED,
    {
      id: column(Integer, { primaryKey: true }),
      a: column(Integer, { unique: true, index: true }),
      b: column(Integer, { unique: true, index: true }),
      c: column(Integer, { unique: true }),
      d: column(Integer, { unique: true }),
      e: column(Enum("x", "y"), { nullable: true }),
      f: column(Enum("x", "z"), { nullable: true }),
    },
    { metadata },
  )
}

/** Two tables whose names share their first 61 bytes, with composite keys (createAll names them pk_<table>). */
function twoCompositeKeys(metadata: MetaData) {
  const keyed = (end: string) =>
    table(
      `${LONG}${end}`,
      { x: column(Integer, { primaryKey: true }), y: column(Integer, { primaryKey: true }) },
      { metadata },
    )
  return [keyed("a"), keyed("b")] as const
}

function allNames(t: Table): string[] {
  const { indexes, uniques, checks, foreignKeys } = declaredConstraints(t)
  return [...indexes, ...uniques, ...checks, ...foreignKeys].map((item) => item.name ?? "")
}

describe("conventional names", () => {
  it("stay within 63 bytes and distinct when a multi-byte table name takes them past it", () => {
    const names = allNames(accented(new MetaData()))
    expect(names).toHaveLength(6)
    for (const name of names) expect(bytes(name)).toBeLessThanOrEqual(63)
    expect(new Set(names).size).toBe(6)
    // Cut between characters, never inside one, and stable: the same model names them the same.
    for (const name of names) expect(name).not.toContain("\uFFFD")
    expect(allNames(accented(new MetaData()))).toEqual(names)
  })

  it("are unchanged for ASCII names: what databases made by earlier versions hold", () => {
    const t = table(LONG, { id: column(Integer, { primaryKey: true }), a: column(Integer, { unique: true }) })
    // As the version before multi-byte names were measured in bytes named it.
    expect(declaredConstraints(t).uniques[0]?.name).toBe(`uq_il_${"x".repeat(48)}_1ca3051a`)
  })
})

describe.each([
  ["PostgreSQL over Neon HTTP", neonFixture("http")],
  ["libSQL over HTTP", libsqlHttpFixture()],
])("long names on %s", (_, fixture) => {
  const engine = fixture.engine("identifiers")

  it("creates every unique index of a table whose conventional names pass 63 bytes, and each holds", async () => {
    const metadata = new MetaData()
    const t = accented(metadata)
    await using connection = engine.connect()
    await dropAll(metadata, connection)
    await createAll(metadata, connection)
    try {
      await engine.execute(insert(t).values({ id: 1, a: 1, b: 1, c: 1, d: 1 }))
      // Each column's unique index or constraint refuses a second row with its value (before: only a's
      // and c's held on PostgreSQL; b's and d's were skipped by IF NOT EXISTS, or dropped as the same name).
      for (const key of ["a", "b", "c", "d"]) {
        const row = { id: 2, a: 2, b: 2, c: 2, d: 2, [key]: 1 }
        const error = await engine.execute(insert(t).values(row)).catch((e: unknown) => e)
        expect(error, key).toBeInstanceOf(IntegrityError)
        if (fixture.dialect === "postgresql") {
          // The name PostgreSQL reports is the model's own, whole: nothing to map back.
          const name = [...declaredConstraints(t).indexes, ...declaredConstraints(t).uniques].find(
            (item) => item.columns[0] === key,
          )?.name
          expect((error as IntegrityError).constraint).toBe(name)
        } else expect((error as IntegrityError).columns).toEqual([key])
      }
      // Both enum CHECKs are there: each refuses the other's value.
      await expect(engine.execute(text(`UPDATE "${ACCENTED}" SET e = 'z'`))).rejects.toThrow(IntegrityError)
      await expect(engine.execute(text(`UPDATE "${ACCENTED}" SET f = 'y'`))).rejects.toThrow(IntegrityError)
    } finally {
      await dropAll(metadata, connection)
    }
  })

  it("creates two tables with composite keys whose names share 61 bytes", async () => {
    const metadata = new MetaData()
    const [a, b] = twoCompositeKeys(metadata)
    await using connection = engine.connect()
    await dropAll(metadata, connection)
    // PostgreSQL refused the second before: relation "pk_il_xxx...x" already exists.
    await createAll(metadata, connection)
    try {
      await engine.execute(insert(a).values({ x: 1, y: 1 }))
      await engine.execute(insert(b).values({ x: 1, y: 1 }))
      await expect(engine.execute(insert(b).values({ x: 1, y: 1 }))).rejects.toThrow(IntegrityError)
    } finally {
      await dropAll(metadata, connection)
    }
  })

  /** Models with one bad name each, and the words the refusal must say. */
  const refused: [string, (metadata: MetaData) => void, RegExp][] = [
    [
      "two columns alike in their first 63 bytes",
      (metadata) =>
        table(
          "il_columns",
          {
            id: column(Integer, { primaryKey: true }),
            [`${"c".repeat(63)}_a`]: column(Integer),
            [`${"c".repeat(63)}_b`]: column(Integer),
          },
          { metadata },
        ),
      /Column name of table "il_columns" "c{63}_a" is 65 bytes long \(UTF-8\), over PostgreSQL's limit of 63 bytes: PostgreSQL would cut it to "c{63}"/,
    ],
    [
      "a column of 32 characters and 64 bytes",
      (metadata) =>
        table(
          "il_wide",
          { id: column(Integer, { primaryKey: true }), ["é".repeat(32)]: column(Integer) },
          { metadata },
        ),
      /Column name of table "il_wide" "é{32}" is 64 bytes long/,
    ],
    [
      "a table name of 64 bytes",
      (metadata) => table(`${LONG}abc`, { id: column(Integer, { primaryKey: true }) }, { metadata }),
      /Table name "il_x{58}abc" is 64 bytes long/,
    ],
    [
      "two unique indexes named alike in their first 63 bytes",
      (metadata) =>
        table(
          "il_named",
          { id: column(Integer, { primaryKey: true }), a: column(Integer), b: column(Integer) },
          {
            metadata,
            indexes: [
              index(`ix_${"n".repeat(70)}_a`, ["a"], { unique: true }),
              index(`ix_${"n".repeat(70)}_b`, ["b"], { unique: true }),
            ],
          },
        ),
      /Index name of table "il_named" "ix_n{70}_a" is 75 bytes long/,
    ],
    [
      "a unique constraint, a check and a foreign key named past 63 bytes",
      (metadata) =>
        table(
          "il_constraints",
          { id: column(Integer, { primaryKey: true }), a: column(Integer) },
          { metadata, constraints: [unique(["a"], `uq_${"u".repeat(61)}`), check("a > 0", "ck_short")] },
        ),
      /Constraint name of table "il_constraints" "uq_u{61}" is 64 bytes long/,
    ],
    [
      "a check named past 63 bytes",
      (metadata) =>
        table(
          "il_checks",
          { id: column(Integer, { primaryKey: true }), a: column(Integer) },
          { metadata, constraints: [check("a > 0", `ck_${"k".repeat(61)}`)] },
        ),
      /Constraint name of table "il_checks" "ck_k{61}" is 64 bytes long/,
    ],
    [
      "a foreign key named past 63 bytes",
      (metadata) => {
        table("il_parent", { id: column(Integer, { primaryKey: true }) }, { metadata })
        table(
          "il_child",
          {
            id: column(Integer, { primaryKey: true }),
            parentId: column(Integer, {
              foreignKey: { references: "il_parent.id", name: `fk_${"f".repeat(61)}` },
            }),
          },
          { metadata },
        )
      },
      /Constraint name of table "il_child" "fk_f{61}" is 64 bytes long/,
    ],
    [
      "an empty table name",
      (metadata) => table("", { id: column(Integer, { primaryKey: true }) }, { metadata }),
      /Table name "" is empty: give it a name/,
    ],
    [
      "a column named with spaces only",
      (metadata) =>
        table("il_blank", { id: column(Integer, { primaryKey: true }), "  ": column(Integer) }, { metadata }),
      /Column name of table "il_blank" " {2}" is blank: give it a name/,
    ],
    [
      "a column name with a NUL",
      (metadata) =>
        table(
          "il_nul",
          { id: column(Integer, { primaryKey: true }), "a\u0000b": column(Integer) },
          { metadata },
        ),
      /Column name of table "il_nul" "a\\u0000b" contains a NUL character/,
    ],
    [
      "one index name on two tables",
      (metadata) => {
        table(
          "il_one",
          { id: column(Integer, { primaryKey: true }), a: column(Integer) },
          {
            metadata,
            indexes: [index("ix_il_same", ["a"], { unique: true })],
          },
        )
        table(
          "il_two",
          { id: column(Integer, { primaryKey: true }), a: column(Integer) },
          {
            metadata,
            indexes: [index("ix_il_same", ["a"], { unique: true })],
          },
        )
      },
      /The name "ix_il_same" is given to both an index of table "il_one" and an index of table "il_two"/,
    ],
  ]

  it.each(refused)("refuses %s before sending anything", async (_, define, message) => {
    const metadata = new MetaData()
    define(metadata)
    const scope = `identifiers-refused-${Math.random().toString(36).slice(2)}`
    const counted = fixture.engine(scope)
    await using connection = counted.connect()
    const error = await createAll(metadata, connection).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidRequestError)
    expect((error as Error).message).toMatch(message)
    expect((await fixture.stats(scope))?.statements).toBe(0)
  })
})
