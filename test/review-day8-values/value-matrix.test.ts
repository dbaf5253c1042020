// Every column type's edge values, written and read back through every path, on the four transports:
// the commit's RETURNING (what the object holds), get() in a new session, select() of the entity and of
// the columns, selectinload and joinedload (a one-statement load: values travel inside JSON), refresh(),
// a bulk insert's RETURNING, an update of a loaded object, and each value bound again in a WHERE (eq
// and in). A value reads back as given, but for what the types document (src/sql/types.ts, README):
// - a Float's -0 is stored as 0 (SQLite keeps no sign on a stored zero: a REAL whole number is kept as
//   an integer on disk); NaN and ±Infinity are refused before sending (SQLite stores NaN as NULL);
// - a Numeric(p, s) reads with s decimals ("12.5" reads "12.50"), on both databases; a Numeric without
//   a scale reads as written on PostgreSQL and in its shortest form on SQLite ("12.50" reads "12.5"),
//   which keeps a NUMERIC as a 64-bit integer or a double: past 15 significant digits it is refused
//   there (numeric-server-default.test.ts), and arithmetic in SQL is done in doubles;
// - a DateTime holds milliseconds, a Date's precision (PostgreSQL keeps microseconds written by others).
//
// What is the drivers' and databases' own, which edgealchemy cannot change, and works around:
// - The Neon driver returns int8 and numeric as text, and parses json/jsonb itself with JSON.parse (so
//   an integer past 2^53 inside a document another program wrote reads rounded, as through SQLite's
//   JSON.parse here); edgealchemy refuses a bigint inside a Json value rather than write it rounded.
// - @libsql/client binds a JS number as REAL (an integer goes as bigint: integers past 2^53 travel as
//   Hrana's decimal strings), and with intMode "bigint" returns every integer as a bigint.
// - Hrana's JSON has no Infinity: sqld sends an infinite REAL as null and the client refuses the answer
//   (infinite-real.test.ts); JSON writes -0.0 as "-0.0" in sqld but as 0 in libsql-local (JSON.stringify).
// - PostgreSQL refuses NUL in text and jsonb, and SQLite reads text and SQL only up to a NUL: both are
//   refused before sending (nul-in-sql.test.ts for SQL text).
// - The native libsql binding (libsql 0.9.30) panics, ending the whole process, when it reads TEXT
//   that is not UTF-8 (SELECT CAST(X'FF' AS TEXT)): embedded, that is the application's process, and
//   behind libsql-local the stand-in's; sqld answers an error. edgealchemy never writes such text.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  and,
  BigInteger,
  Boolean,
  column,
  DateOnly,
  DateTime,
  Enum,
  Float,
  Integer,
  insert,
  Json,
  joinedload,
  LargeBinary,
  model,
  Numeric,
  Registry,
  relationship,
  SmallInteger,
  String,
  select,
  selectinload,
  Text,
  Uuid,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"

const registry = new Registry()
class Shelf extends model(
  "d8v_mx_shelves",
  {
    id: column(Integer, { primaryKey: true }),
    items: relationship<Item[]>("Item", { backPopulates: "shelf" }),
  },
  { registry },
) {}
class Item extends model(
  "d8v_mx_items",
  {
    id: column(Integer, { primaryKey: true }),
    shelfId: column(Integer, { foreignKey: "d8v_mx_shelves.id" }),
    shelf: relationship<Shelf>("Shelf", { backPopulates: "items" }),
    int: column(Integer, { nullable: true }),
    small: column(SmallInteger, { nullable: true }),
    big: column(BigInteger, { nullable: true }),
    exact: column(Numeric(38, 10), { nullable: true }),
    loose: column(Numeric(), { nullable: true }),
    real: column(Float, { nullable: true }),
    at: column(DateTime, { nullable: true }),
    day: column(DateOnly, { nullable: true }),
    flag: column(Boolean, { nullable: true }),
    doc: column(Json(), { nullable: true }),
    bytes: column(LargeBinary, { nullable: true }),
    uuid: column(Uuid, { nullable: true }),
    kind: column(Enum("plain", "accentué", "😀"), { nullable: true }),
    body: column(Text, { nullable: true }),
    short: column(String(3), { nullable: true }),
  },
  { registry },
) {}
registry.registerModels(Shelf, Item)

type Values = Record<string, unknown>
const KEYS = [
  "int",
  "small",
  "big",
  "exact",
  "loose",
  "real",
  "at",
  "day",
  "flag",
  "doc",
  "bytes",
  "uuid",
  "kind",
  "body",
  "short",
] as const

/** Rows of edge values: as written, and as read back (a function of the dialect where they differ). */
const ROWS: { written: Values; read?: (sqlite: boolean) => Values }[] = [
  {
    written: {
      int: 2 ** 31 - 1,
      small: 32767,
      big: 2n ** 63n - 1n,
      exact: "1234567890123456789012345678.0123456789",
      loose: "12345678901234.5",
      real: Number.MAX_VALUE,
      at: new Date("9999-12-31T23:59:59.999Z"),
      day: "9999-12-31",
      flag: true,
      doc: { nested: [1, { ok: true, none: null }], text: "é😀\u2028", big: 2 ** 53 + 2, "": "empty key" },
      bytes: new Uint8Array(70_000).map((_, i) => (i * 7) % 256),
      uuid: "ffffffff-ffff-4fff-bfff-ffffffffffff",
      kind: "😀",
      body: `${"x".repeat(100_000)}e\u0301 ' " \\ %_ \r\n\t`,
      short: "😀é\u0301",
    },
    // SQLite keeps 15 significant digits of a NUMERIC.
    read: (sqlite) => (sqlite ? { exact: "refused" } : {}),
  },
  {
    written: {
      int: -(2 ** 31),
      small: -32768,
      big: -(2n ** 63n),
      exact: "-0.0000000001",
      loose: "-1e-7",
      real: 5e-324,
      at: new Date("0001-01-01T00:00:00.000Z"),
      day: "0001-01-01",
      flag: false,
      doc: "null",
      bytes: new Uint8Array([0, 0, 255, 0]),
      uuid: "00000000-0000-4000-8000-000000000000",
      kind: "accentué",
      body: "",
      short: "",
    },
    read: () => ({ exact: "-0.0000000001", loose: "-0.0000001" }),
  },
  {
    written: {
      int: 0,
      small: 0,
      big: 2n ** 53n + 1n,
      exact: "12.5",
      loose: "12.50",
      real: -0,
      at: new Date("1969-12-31T23:59:59.999Z"),
      day: "2024-02-29",
      flag: true,
      doc: [],
      bytes: new Uint8Array(0),
      uuid: "123e4567-e89b-42d3-a456-426614174000",
      kind: "plain",
      body: "\u{10FFFF}",
      short: "abc",
    },
    read: (sqlite) => ({ exact: "12.5000000000", loose: sqlite ? "12.5" : "12.50", real: 0 }),
  },
  {
    written: {
      int: null,
      big: 9007199254740993n,
      exact: "-0",
      loose: "1234567890123456789",
      real: 0.1 + 0.2,
      at: new Date("2024-03-31T01:30:00.001Z"),
      doc: 0.1,
      body: "NFC é vs NFD e\u0301",
    },
    read: () => ({ exact: "0.0000000000", loose: "1234567890123456789" }),
  },
]

/** What `row` should read back as on this dialect; "refused" marks a value the dialect refuses. */
function expected(row: (typeof ROWS)[number], sqlite: boolean): Values {
  const full = Object.fromEntries(KEYS.map((key) => [key, row.written[key] ?? null]))
  return { ...full, ...row.read?.(sqlite) }
}
const comparable = (values: Values) =>
  Object.fromEntries(
    KEYS.map((key) => {
      const value = values[key]
      return [key, value instanceof Uint8Array ? Buffer.from(value).toString("hex") : value]
    }),
  )

const fixtures = [
  neonFixture("http", ws),
  neonFixture("websocket", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("d8v-matrix"), "matrix.db")),
]
for (const fixture of fixtures) {
  describe(`edge values of every type on ${fixture.name}`, () => {
    const engine = fixture.engine(`d8v-mx-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    const sqlite = fixture.dialect === "sqlite"
    /** The written values this dialect holds, and what each row reads back as. */
    const rows = ROWS.map((row, i) => {
      const want = expected(row, sqlite)
      const refused = KEYS.filter((key) => want[key] === "refused")
      const written = Object.fromEntries(
        Object.entries(row.written).filter(([k]) => !refused.includes(k as never)),
      )
      for (const key of refused) want[key] = null
      return { id: i + 1, written, want: comparable(want), refused }
    })

    it("a value this database would change is refused before anything is sent", async () => {
      for (const { id, refused } of rows) {
        for (const key of refused) {
          await using session = new AsyncSession(engine)
          session.add(new Item({ id: 100 + id, shelfId: id, [key]: ROWS[id - 1]?.written[key] } as never))
          await expect(session.commit()).rejects.toMatchObject({ name: "DataError" })
        }
      }
    })

    it("reads back the same through every path", async () => {
      {
        await using session = new AsyncSession(engine)
        const items = rows.map(({ id, written }) => new Item({ id, shelfId: id, ...written } as never))
        for (const { id } of rows) session.add(new Shelf({ id }))
        for (const item of items) session.add(item)
        await session.commit()
        expect(items.map((item) => comparable(item as never))).toEqual(rows.map((row) => row.want))
      }
      const read = async (path: (session: AsyncSession) => Promise<readonly object[]>) => {
        await using session = new AsyncSession(engine)
        const found = [...(await path(session))].sort((a, b) => (a as Item).id - (b as Item).id)
        return found.map((item) => comparable(item as never))
      }
      const ids = rows.map((row) => row.id)
      const wanted = rows.map((row) => row.want)
      expect(
        await read(async (s) => Promise.all(ids.map(async (id) => (await s.get(Item, id)) as Item))),
      ).toEqual(wanted)
      expect(await read(async (s) => (await s.scalars(select(Item))).all())).toEqual(wanted)
      expect(
        await read(async (s) =>
          (await s.execute(select(...KEYS.map((key) => Item[key]), Item.id)))
            .all()
            .map((row) =>
              Object.fromEntries([...KEYS.map((key, i) => [key, row[i]]), ["id", row[KEYS.length]]]),
            ),
        ),
      ).toEqual(wanted)
      for (const option of [selectinload(Shelf.items), joinedload(Shelf.items)]) {
        expect(
          await read(async (s) =>
            (await s.scalars(select(Shelf).options(option)))
              .unique()
              .all()
              .flatMap((shelf) => shelf.items),
          ),
        ).toEqual(wanted)
      }
      expect(
        await read(async (s) => {
          const items = (await s.scalars(select(Item))).all()
          for (const item of items) await s.refresh(item)
          return items
        }),
      ).toEqual(wanted)
    })

    it("each value, bound again, finds its row (eq and in)", async () => {
      await using session = new AsyncSession(engine)
      for (const { id, written } of rows) {
        const keys = KEYS.filter((key) => written[key] !== undefined && written[key] !== null)
        const eq = keys.map((key) => Item[key].eq(written[key] as never))
        const within = keys.map((key) => Item[key].in([written[key]] as never))
        expect((await session.execute(select(Item.id).where(and(...eq)))).scalars().all()).toEqual([id])
        expect((await session.execute(select(Item.id).where(and(...within)))).scalars().all()).toEqual([id])
      }
    })

    it("a bulk insert's RETURNING and an update of a loaded object read back the same", async () => {
      await using session = new AsyncSession(engine)
      for (const { id, written, want } of rows) {
        await session.execute(insert(Shelf).values({ id: 1000 + id }))
        const returned = (
          await session.scalars(
            insert(Item)
              .values({ id: 1000 + id, shelfId: 1000 + id, ...written } as never)
              .returning(Item),
          )
        ).one()
        expect(comparable(returned as never)).toEqual(want)
        // The same values set on a loaded row that held others.
        const item = (await session.get(Item, id)) as Item & Values
        for (const key of KEYS) item[key] = null
        await session.commit()
        Object.assign(item, written)
        await session.commit()
        expect(comparable(item as never)).toEqual(want)
      }
      await using reader = new AsyncSession(engine)
      const again = (await reader.scalars(select(Item).where(Item.id.in(rows.map((row) => row.id))))).all()
      expect(again.sort((a, b) => a.id - b.id).map((item) => comparable(item as never))).toEqual(
        rows.map((row) => row.want),
      )
    })
  })
}
