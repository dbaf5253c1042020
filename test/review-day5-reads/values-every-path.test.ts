// What held: each column type, at its edges (64-bit integers at both ends, a subnormal double, decimals
// at full scale, year 1, before 1970, JSON false/0/""/[] beside SQL NULL, empty bytes, emoji and U+2028),
// reads back as stored by every path a read takes on every database: the plain query, the
// one-statement JSON load (selectin, a level, a subquery entity, labels beside an entity), a joined
// load, a UNION, a CTE, a subquery's columns, and an outer join's missing row.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, aliased, joinedload, ReadSession, select, selectinload } from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"
import { r5Models } from "./models.ts"

const { R5User, R5Value, registry } = r5Models("r5r_pv")

const rows = [
  {
    id: 1,
    ownerId: 1,
    small: 32767,
    big: 9223372036854775807n,
    score: 0.1,
    price: "12345678.123456",
    plain: "0.1",
    flag: true,
    day: "2024-02-29",
    at: new Date("2024-02-29T12:00:00.001Z"),
    doc: { a: null, b: [1, "x"] },
    bytes: new Uint8Array([0, 255]),
    mood: "ok" as const,
    token: "7d444840-9dc0-11d1-b245-5ffdce74fad2",
    body: "",
  },
  {
    id: 2,
    ownerId: 1,
    small: -32768,
    big: -9223372036854775808n,
    score: -2.5,
    price: "-0.000001",
    plain: "100",
    flag: false,
    day: "0001-01-01",
    at: new Date("0001-01-01T00:00:00.000Z"),
    doc: "text",
    bytes: new Uint8Array([]),
    mood: "sad" as const,
    token: null,
    body: "null",
  },
  {
    id: 3,
    ownerId: 1,
    small: 0,
    big: 9007199254740993n,
    score: 5e-324,
    price: "0.000000",
    plain: "123456789012345",
    flag: null,
    day: null,
    at: new Date(-1),
    doc: 0,
    bytes: null,
    mood: null,
    token: null,
    body: "\u2028x\ud83d\ude00",
  },
  {
    id: 4,
    ownerId: null,
    small: null,
    big: null,
    score: 1.7976931348623157e308,
    price: null,
    plain: null,
    flag: null,
    day: null,
    at: null,
    doc: false,
    bytes: null,
    mood: null,
    token: null,
    body: null,
  },
  {
    id: 5,
    ownerId: null,
    small: null,
    big: null,
    score: null,
    price: null,
    plain: null,
    flag: null,
    day: null,
    at: null,
    doc: [],
    bytes: null,
    mood: null,
    token: null,
    body: null,
  },
  {
    id: 6,
    ownerId: null,
    small: null,
    big: null,
    score: null,
    price: null,
    plain: null,
    flag: null,
    day: null,
    at: null,
    doc: null,
    bytes: null,
    mood: null,
    token: null,
    body: null,
  },
  {
    id: 7,
    ownerId: null,
    small: null,
    big: null,
    score: 1e-310,
    price: null,
    plain: null,
    flag: null,
    day: null,
    at: new Date("1969-12-31T23:59:59.999Z"),
    doc: { "": "" },
    bytes: null,
    mood: null,
    token: null,
    body: null,
  },
]

for (const fixture of [
  neonFixture("http", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("r5r-value"), "x.db")),
]) {
  describe(`every column type read back by every path on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5r-values-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("reads what was stored: entities, loads, levels, subqueries, CTEs, unions, labels, outer joins", async () => {
      {
        await using s = new AsyncSession(engine)
        s.add(new R5User({ id: 1, name: "u" } as never))
        s.add(new R5User({ id: 2, name: "empty" } as never))
        for (const r of rows) s.add(new R5Value(r as never))
        await s.commit()
      }
      const expected = (await readVia(engine, (s) => s.scalars(select(R5Value).orderBy(R5Value.id)))).map(
        (v) => ({ ...v.toJSON(), big: v.big, bytes: v.bytes }),
      )
      const want = rows.map((r) => ({ ...r }))
      const diffs: unknown[] = []
      const cmp = (way: string, got: unknown[], w: unknown[] = want) => {
        got.forEach((g, i) => {
          for (const [k, v] of Object.entries(w[i] as object)) {
            const gv = (g as Record<string, unknown>)[k]
            if (show(gv) !== show(v)) diffs.push(`${way} #${i} ${k}: got ${show(gv)} want ${show(v)}`)
          }
        })
        if (got.length !== w.length) diffs.push(`${way}: ${got.length} rows`)
      }
      cmp("plain", expected)
      cmp(
        "selectin",
        (
          await readVia(engine, (s) =>
            s.scalars(select(R5Value).orderBy(R5Value.id).options(selectinload(R5Value.owner))),
          )
        ).map((v) => ({ ...v.toJSON(), big: v.big, bytes: v.bytes })),
      )
      cmp(
        "joined",
        (
          await readVia(engine, (s) =>
            s.scalars(select(R5Value).orderBy(R5Value.id).options(joinedload(R5Value.owner))),
          )
        ).map((v) => ({ ...v.toJSON(), big: v.big, bytes: v.bytes })),
      )
      cmp(
        "level",
        (
          await readVia(engine, async (s) => {
            const users = (
              await s.scalars(select(R5User).where(R5User.id.eq(1)).options(selectinload(R5User.values)))
            ).all()
            return users[0]!.values.slice().sort((a, b) => a.id - b.id)
          })
        )
          .map((v) => ({ ...v.toJSON(), big: v.big, bytes: v.bytes }))
          .concat(want.slice(3)),
      )
      const sub = aliased(R5Value, select(R5Value).where(R5Value.id.gt(0)).subquery("r5r_sub"))
      cmp(
        "subquery+selectin",
        (
          await readVia(engine, (s) =>
            s.scalars(select(sub).orderBy(sub.id).options(selectinload(R5Value.owner))),
          )
        ).map((v) => ({ ...v.toJSON(), big: v.big, bytes: v.bytes })),
      )
      const u = select(R5Value)
        .where(R5Value.id.lt(4))
        .union(select(R5Value).where(R5Value.id.ge(4)))
        .orderBy(R5Value.id)
      cmp(
        "union",
        (await readVia(engine, (s) => s.scalars(u))).map((v) => ({
          ...v.toJSON(),
          big: v.big,
          bytes: v.bytes,
        })),
      )
      const cols = [
        R5Value.id,
        R5Value.small,
        R5Value.big,
        R5Value.score,
        R5Value.price,
        R5Value.plain,
        R5Value.flag,
        R5Value.day,
        R5Value.at,
        R5Value.doc,
        R5Value.bytes,
        R5Value.mood,
        R5Value.token,
        R5Value.body,
      ] as const
      const asRows = (list: readonly unknown[][]) =>
        list.map((r) => Object.fromEntries(cols.map((c, i) => [c.key, r[i]])))
      const wantCols = want.map((w) =>
        Object.fromEntries(cols.map((c) => [c.key, (w as Record<string, unknown>)[c.key]])),
      )
      const cmpCols = (way: string, got: unknown[]) => cmp(way, got, wantCols)
      cmpCols(
        "columns",
        asRows(
          (await readVia(engine, (s) => s.execute(select(...cols).orderBy(R5Value.id)))).map((r) => [...r]),
        ),
      )
      const labeled = cols.map((c) => c.label(`l_${c.key}`))
      cmpCols(
        "labels+selectin",
        asRows(
          (
            await readVia(engine, (s) =>
              s.execute(
                select(R5Value, ...labeled)
                  .orderBy(R5Value.id)
                  .options(selectinload(R5Value.owner)),
              ),
            )
          ).map((r) => r.slice(1)),
        ),
      )
      const cte = select(...cols).cte("r5r_cte")
      cmpCols(
        "cte",
        asRows(
          (
            await readVia(engine, (s) =>
              s.execute(
                select(...cols.map((c) => (cte.c as never as Record<string, typeof c>)[c.key]!)).orderBy(
                  (cte.c as never as Record<string, typeof R5Value.id>).id!,
                ),
              ),
            )
          ).map((r) => [...r]),
        ),
      )
      const subq = select(...cols).subquery("r5r_sq")
      cmpCols(
        "subquery cols",
        asRows(
          (
            await readVia(engine, (s) =>
              s.execute(
                select(...cols.map((c) => (subq.c as never as Record<string, typeof c>)[c.key]!)).orderBy(
                  (subq.c as never as Record<string, typeof R5Value.id>).id!,
                ),
              ),
            )
          ).map((r) => [...r]),
        ),
      )
      cmpCols(
        "union cols",
        asRows(
          (
            await readVia(engine, (s) =>
              s.execute(
                select(...cols)
                  .where(R5Value.id.lt(4))
                  .unionAll(select(...cols).where(R5Value.id.ge(4)))
                  .orderBy(R5Value.id),
              ),
            )
          ).map((r) => [...r]),
        ),
      )
      // outer join: user 2 has no values
      const oj = await readVia(engine, (s) =>
        s.execute(
          select(R5User, R5Value, R5Value.big, R5Value.doc, R5Value.flag)
            .outerJoin(R5Value, R5Value.ownerId.eq(R5User.id))
            .where(R5User.id.eq(2))
            .options(selectinload(R5User.posts)),
        ),
      )
      try {
        expect(oj.map((r) => r.slice(1))).toEqual([[null, null, null, null]])
      } catch (e) {
        diffs.push(["outer", (e as Error).message])
      }
      expect(diffs).toEqual([])
    })
  })
}

function show(v: unknown): string {
  if (v instanceof Uint8Array) return `bytes[${[...v]}]`
  if (v instanceof Date) return `Date(${v.getTime()})`
  if (typeof v === "bigint") return `${v}n`
  if (Object.is(v, -0)) return "-0"
  return `${typeof v}:${JSON.stringify(v)}`
}

async function readVia<T>(
  engine: Parameters<typeof ReadSession extends new (e: infer E) => unknown ? (e: E) => void : never>[0],
  read: (s: ReadSession) => Promise<{ all(): T[] } | T[]>,
): Promise<T[]> {
  await using s = new ReadSession(engine)
  const r = await read(s)
  return Array.isArray(r) ? r : r.all()
}
