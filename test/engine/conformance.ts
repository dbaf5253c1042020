// The engine conformance suite, run for every transport (test/node/engine.test.ts) and for the web
// transports again inside workerd (test/workers/engine.test.ts). Each transport must read back what it
// wrote, identically; capabilities gate what a transport cannot do.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import {
  BigInteger,
  Boolean,
  beginNested,
  ConnectionError,
  check,
  column,
  createAll,
  DateOnly,
  DateTime,
  dropAll,
  Float,
  func,
  Integer,
  IntegrityError,
  InvalidRequestError,
  insert,
  Json,
  LargeBinary,
  MetaData,
  MultipleResultsFound,
  NoResultFound,
  Numeric,
  ProgrammingError,
  String,
  select,
  Text,
  table,
  text,
  UnsupportedCapabilityError,
  Uuid,
} from "../../src/index.ts"
import type { TransportFixture } from "./transports.ts"

export function engineConformance(fixture: TransportFixture) {
  const suffix = fixture.name.replaceAll("-", "_")
  const metadata = new MetaData()
  const owners = table(
    `eng_owners_${suffix}`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(40), { unique: true }),
    },
    { metadata },
  )
  const things = table(
    `eng_things_${suffix}`,
    {
      id: column(Integer, { primaryKey: true }),
      ownerId: column(Integer, { nullable: true, foreignKey: `eng_owners_${suffix}.id` }),
      label: column(Text),
      big: column(BigInteger, { nullable: true }),
      flag: column(Boolean, { nullable: true }),
      at: column(DateTime, { nullable: true }),
      day: column(DateOnly, { nullable: true }),
      ratio: column(Float, { nullable: true }),
      price: column(Numeric(12, 2), { nullable: true }),
      doc: column(Json<{ tags: string[]; n: number }>(), { nullable: true }),
      key: column(Uuid, { nullable: true }),
      bytes: column(LargeBinary, { nullable: true }),
      score: column(Integer, { nullable: true }),
    },
    { metadata },
  )
  // A key the database does not generate: SQLite lets a TEXT primary key hold NULL unless told not to.
  table(`eng_slugs_${suffix}`, { slug: column(String(20), { primaryKey: true }) }, { metadata })
  table(
    `eng_checked_${suffix}`,
    { n: column(Integer, { primaryKey: true }) },
    {
      metadata,
      constraints: [check("n >= 0", `ck_eng_checked_${suffix}_n`)],
    },
  )
  const scope = (name: string) => `eng-${fixture.name}-${name}-${Date.now().toString(36)}`

  describe(`engine on ${fixture.name}`, () => {
    const engine = fixture.engine(scope("setup"))
    beforeAll(async () => {
      const connection = engine.connect()
      try {
        await dropAll(metadata, connection)
        await createAll(metadata, connection)
      } finally {
        await connection.close()
      }
    })
    afterAll(async () => {
      const connection = engine.connect()
      await dropAll(metadata, connection).finally(() => connection.close())
    })

    it("reads back every type exactly as written", async () => {
      const at = new Date("2024-02-29T23:59:58.123Z")
      const bytes = new Uint8Array([0, 1, 127, 128, 255])
      const row = {
        label: "ünïcødé 😀 'quoted' \\",
        big: 2n ** 62n + 5n,
        flag: true,
        at,
        day: "2024-02-29",
        ratio: 0.1 + 0.2,
        price: "1234567890.12",
        doc: { tags: ["a", "b"], n: 1.5 },
        key: "123e4567-e89b-12d3-a456-426614174000",
        bytes,
        score: -42,
      }
      const connection = engine.connect()
      try {
        const inserted = await connection.execute(insert(things).values(row).returning(things))
        const [read] = inserted.one()
        expect(read).toEqual({ id: expect.any(Number), ownerId: null, ...row })
        expect(read.bytes).toBeInstanceOf(Uint8Array)
        expect(read.at).toBeInstanceOf(Date)
        const again = await connection.execute(select(things).where(things.c.id.eq(read.id)))
        expect(again.one()[0]).toEqual(read)
        // A write with RETURNING counts the rows it wrote on every transport (embedded libSQL said 0).
        const labels = ["a", "b", "c"].map((label) => ({ label: `${label}-${suffix}` }))
        const counted = await connection.execute(insert(things).values(labels).returning(things.c.id))
        expect([counted.rowsAffected, counted.all().length]).toEqual([3, 3])
        const nulls = await connection.execute(insert(things).values({ label: "nulls" }).returning(things))
        const [empty] = nulls.one()
        expect(
          Object.entries(empty)
            .filter(([, v]) => v !== null)
            .map(([k]) => k)
            .sort(),
        ).toEqual(["id", "label"])
      } finally {
        await connection.close()
      }
    })

    it("offers all, first, one, oneOrNone, scalar, scalars, mappings and iteration", async () => {
      const connection = engine.connect()
      try {
        await connection.execute(insert(owners).values([{ name: `r1-${suffix}` }, { name: `r2-${suffix}` }]))
        const query = select(owners.c.id, owners.c.name)
          .where(owners.c.name.like(`r_-${suffix}`))
          .orderBy(owners.c.name)
        const result = await connection.execute(query)
        expect(result.all().map(([, name]) => name)).toEqual([`r1-${suffix}`, `r2-${suffix}`])
        expect(result.first()?.[1]).toBe(`r1-${suffix}`)
        expect(() => result.one()).toThrow(MultipleResultsFound)
        expect(() => result.oneOrNone()).toThrow(MultipleResultsFound)
        expect(result.scalars().all()).toEqual(result.all().map(([id]) => id))
        expect(result.mappings()[1]).toEqual({ id: result.all()[1]?.[0], name: `r2-${suffix}` })
        // A table item is one object per row, keyed by the table's name; a labelled value by its label.
        const named = await connection.execute(
          select(owners, func.count().label("n"))
            .where(owners.c.name.eq(`r1-${suffix}`))
            .groupBy(owners.c.id),
        )
        expect(named.keys).toEqual([owners.name, "n"])
        expect(named.mappings()).toEqual([{ [owners.name]: { ...named.first()?.[0] }, n: 1 }])
        expect([...result].length).toBe(2)
        const none = await connection.execute(query.where(owners.c.id.lt(0)))
        expect(none.oneOrNone()).toBeNull()
        expect(none.scalar()).toBeUndefined()
        expect(() => none.one()).toThrow(NoResultFound)
        expect((await connection.execute(text("select 1 + 1").columns(Integer))).scalar()).toBe(2)
      } finally {
        await connection.close()
      }
    })

    it("runs a batch atomically: all of it, or none of it when one statement fails", async () => {
      const connection = engine.connect()
      try {
        const ok = await connection.batch([
          insert(owners).values({ name: `b1-${suffix}` }),
          insert(owners)
            .values({ name: `b2-${suffix}` })
            .returning(owners.c.name),
        ])
        expect(ok[1]?.all()).toEqual([[`b2-${suffix}`]])
        const failing = connection.batch([
          insert(owners).values({ name: `b3-${suffix}` }),
          insert(owners).values({ name: `b1-${suffix}` }),
        ])
        await expect(failing).rejects.toBeInstanceOf(IntegrityError)
        const names = await connection.execute(
          select(owners.c.name).where(owners.c.name.like(`b_-${suffix}`)),
        )
        expect(names.scalars().all().sort()).toEqual([`b1-${suffix}`, `b2-${suffix}`])
      } finally {
        await connection.close()
      }
    })

    it("commits and rolls back interactive transactions, with savepoints", async () => {
      const connection = engine.connect()
      const reader = engine.connect()
      try {
        await connection.begin()
        expect(connection.inTransaction).toBe(true)
        await connection.execute(insert(owners).values({ name: `t1-${suffix}` }))
        const savepoint = await beginNested(connection)
        await connection.execute(insert(owners).values({ name: `t2-${suffix}` }))
        await savepoint.rollback()
        const kept = await beginNested(connection)
        await connection.execute(insert(owners).values({ name: `t3-${suffix}` }))
        await kept.commit()
        await connection.commit()
        await connection.begin()
        await connection.execute(insert(owners).values({ name: `t4-${suffix}` }))
        await connection.rollback()
        const names = await reader.execute(select(owners.c.name).where(owners.c.name.like(`t_-${suffix}`)))
        expect(names.scalars().all().sort()).toEqual([`t1-${suffix}`, `t3-${suffix}`])
      } finally {
        await connection.close()
        await reader.close()
      }
    })

    it("rolls back at once when a statement fails in a transaction, to the savepoint if there is one", async () => {
      const connection = engine.connect()
      try {
        await connection.begin()
        await connection.execute(insert(owners).values({ name: `f1-${suffix}` }))
        const savepoint = await beginNested(connection)
        await expect(
          connection.execute(insert(owners).values({ name: `f1-${suffix}` })),
        ).rejects.toBeInstanceOf(IntegrityError)
        await expect(savepoint.commit()).rejects.toThrow(/no longer active/)
        await connection.execute(insert(owners).values({ name: `f2-${suffix}` }))
        await connection.commit()
        await connection.begin()
        await connection.execute(insert(owners).values({ name: `f3-${suffix}` }))
        await expect(
          connection.execute(insert(owners).values({ name: `f3-${suffix}` })),
        ).rejects.toBeInstanceOf(IntegrityError)
        expect(connection.inTransaction).toBe(false)
        const names = await connection.execute(
          select(owners.c.name).where(owners.c.name.like(`f_-${suffix}`)),
        )
        expect(names.scalars().all().sort()).toEqual([`f1-${suffix}`, `f2-${suffix}`])
      } finally {
        await connection.close()
      }
    })

    it("honours a requested isolation level and read-only transaction", async () => {
      const connection = engine.connect()
      try {
        await connection.begin({ isolationLevel: "serializable", readOnly: true })
        if (fixture.dialect === "postgresql") {
          const level = await connection.execute(text("SHOW transaction_isolation").columns(Text))
          expect(level.scalar()).toBe("serializable")
        }
        // Refused unsent on both, with one message (SQLite would not refuse it; PostgreSQL would, as
        // 25006, but a flush's INSERT as "cannot execute SELECT in a read-only transaction").
        const refused = await connection
          .execute(insert(owners).values({ name: `ro-${suffix}` }))
          .catch((e: unknown) => e)
        expect(refused).toBeInstanceOf(InvalidRequestError)
        expect(connection.inTransaction).toBe(false)
      } finally {
        await connection.close()
      }
    })

    it("raises one error class per cause, with the SQL, parameters and constraint details", async () => {
      const connection = engine.connect()
      try {
        await connection.execute(insert(owners).values({ name: `e1-${suffix}` }))
        const unique = await connection
          .execute(insert(owners).values({ name: `e1-${suffix}` }))
          .catch((e: unknown) => e)
        expect(unique).toBeInstanceOf(IntegrityError)
        expect(unique).toMatchObject({ kind: "unique", columns: ["name"] })
        expect((unique as IntegrityError).sql).toContain(`INSERT INTO "eng_owners_${suffix}"`)
        expect((unique as IntegrityError).params).toEqual([`e1-${suffix}`])
        if (fixture.dialect === "postgresql")
          expect(unique).toMatchObject({ constraint: `uq_eng_owners_${suffix}_name` })
        const foreign = await connection
          .execute(insert(things).values({ label: "x", ownerId: 999_999 }))
          .catch((e: unknown) => e)
        expect(foreign).toMatchObject({ kind: "foreign_key" })
        const notNull = await connection
          .execute(text(`INSERT INTO eng_owners_${suffix} (name) VALUES (NULL)`))
          .catch((e: unknown) => e)
        expect(notNull).toMatchObject({ kind: "not_null", columns: ["name"] })
        const nullKey = await connection
          .execute(text(`INSERT INTO eng_slugs_${suffix} (slug) VALUES (NULL)`))
          .catch((e: unknown) => e)
        expect(nullKey).toMatchObject({ kind: "not_null", columns: ["slug"] })
        await expect(connection.execute(text("SELECT * FROM no_such_table_here"))).rejects.toBeInstanceOf(
          ProgrammingError,
        )
      } finally {
        await connection.close()
      }
    })

    it("echoes each statement with its parameters and duration, and the URL with secrets masked", async () => {
      const lines: string[] = []
      const echoed = fixture.engine(scope("echo"), { echo: (line) => lines.push(line) })
      await echoed.execute(select(owners.c.id).where(owners.c.name.eq("echo")))
      expect(lines[0]).toMatch(/^\[edgealchemy\] connect /)
      expect(lines[0]).not.toMatch(/edgealchemy-test(-token)?[^a-z]/)
      expect(lines[1]).toMatch(/^\[edgealchemy\] SELECT .* \["echo"\] \(\d+\.\d ms\)$/)
    })

    it("keeps a write's outcome when a listener throws: the error is logged, the commit stands", async () => {
      const listened = fixture.engine(scope("throwing-listener"))
      const logged = vi.spyOn(console, "error").mockImplementation(() => undefined)
      const stops = (["statement", "roundTrip", "connect"] as const).map((event) =>
        listened.on(event, () => {
          throw new Error(`${event} logger down`)
        }),
      )
      try {
        const name = `listened-${suffix}`
        const result = await listened.execute(insert(owners).values({ name }).returning(owners.c.name))
        expect(result.scalar()).toBe(name)
        const stored = await engine.execute(select(owners.c.name).where(owners.c.name.eq(name)))
        expect(stored.scalars().all()).toEqual([name])
        expect(logged.mock.calls.map(([line]) => line)).toContain(
          '[edgealchemy] a "statement" listener threw; the request\'s outcome stands:',
        )
      } finally {
        for (const stop of stops) stop()
        logged.mockRestore()
      }
    })

    if (fixture.name !== "libsql-embedded") {
      it("refuses wrong credentials with a ConnectionError", async () => {
        const connection = fixture.engine(scope("wrong"), { wrongCredentials: true }).connect()
        try {
          await expect(connection.execute(select(owners.c.id))).rejects.toBeInstanceOf(ConnectionError)
        } finally {
          await connection.close()
        }
      })
    }

    if (fixture.name === "neon-http" || fixture.name === "libsql-http") {
      it("sends a batch of N statements as exactly one HTTP request", async () => {
        const name = scope("batch")
        const connection = fixture.engine(name).connect()
        try {
          await connection.batch(
            Array.from({ length: 7 }, (_, i) => insert(owners).values({ name: `n${i}-${name}` })),
          )
          expect(await fixture.stats(name)).toMatchObject({ httpRequests: 1 })
        } finally {
          await connection.close()
        }
      })
    }

    if (fixture.name === "neon-http") {
      it("answers a one-shot query with one HTTP request and no WebSocket", async () => {
        const name = scope("oneshot")
        const local = fixture.engine(name)
        let roundTrips = 0
        local.on("roundTrip", () => roundTrips++)
        expect((await local.execute(select(owners.c.id).limit(1))).rows.length).toBeLessThanOrEqual(1)
        expect(await fixture.stats(name)).toMatchObject({ httpRequests: 1, wsConnections: 0 })
        expect(roundTrips).toBe(1)
      })

      it("raises UnsupportedCapabilityError before sending anything when WebSocket is disabled", async () => {
        const name = scope("nocap")
        const connection = fixture.engine(name, { neon: { webSocket: false } }).connect()
        try {
          await expect(connection.begin()).rejects.toBeInstanceOf(UnsupportedCapabilityError)
          await expect(beginNested(connection)).rejects.toBeInstanceOf(UnsupportedCapabilityError)
          expect(await fixture.stats(name)).toMatchObject({ httpRequests: 0, wsConnections: 0 })
        } finally {
          await connection.close()
        }
      })
    }
  })
}
