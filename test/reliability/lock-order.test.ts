// The order a flush writes rows in, as the statements it sends show: rows others may lock go by key
// (upserts by their unique values, association rows and app-keyed rows by primary key, UPDATEs and
// DELETEs by primary key within a table), whatever order the objects were added or loaded in; rows
// with generated keys keep add order. Concurrent flushes then lock rows alike and cannot deadlock.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import {
  AsyncSession,
  column,
  deleteFrom,
  Integer,
  model,
  Registry,
  relationship,
  String,
  select,
  table,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import {
  libsqlEmbeddedFixture,
  libsqlHttpFixture,
  neonFixture,
  type TransportFixture,
} from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"

const registry = new Registry()

const entryLabels = table(
  "lo_entry_labels",
  {
    entryId: column(Integer, {
      primaryKey: true,
      foreignKey: { references: "lo_entries.id", onDelete: "CASCADE" },
    }),
    labelId: column(Integer, {
      primaryKey: true,
      foreignKey: { references: "lo_labels.id", onDelete: "CASCADE" },
    }),
  },
  { metadata: registry.metadata },
)

class Label extends model(
  "lo_labels",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(50), { unique: true }),
    entries: relationship<Entry[]>("Entry", { secondary: entryLabels, backPopulates: "labels" }),
  },
  { registry },
) {}

class Entry extends model(
  "lo_entries",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(50)),
    labels: relationship<Label[]>("Label", { secondary: entryLabels, backPopulates: "entries" }),
  },
  { registry },
) {}

/** A table whose keys the application gives (a natural key). */
class Code extends model(
  "lo_codes",
  { code: column(String(10), { primaryKey: true }), meaning: column(String(50)) },
  { registry },
) {}

registry.registerModels(Label, Entry, Code)

const fixtures: TransportFixture[] = [
  neonFixture("http"),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("ea-lock-order"), "lo.db")),
]

interface Sent {
  sql: string
  params: readonly unknown[]
}

for (const fixture of fixtures) {
  describe(`flush row order on ${fixture.name}`, () => {
    const engine = fixture.engine(`lock-order-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    /** Runs `work` in a new session and returns the statements its commit sent. */
    async function sentBy(work: (session: AsyncSession) => Promise<void> | void): Promise<Sent[]> {
      await using session = new AsyncSession(engine)
      await work(session)
      const sent: Sent[] = []
      const stop = engine.on("statement", (event) => {
        sent.push({ sql: event.sql, params: event.params })
      })
      try {
        await session.commit()
      } finally {
        stop()
      }
      return sent
    }

    const writing = (sent: Sent[], pattern: RegExp) => sent.filter((s) => pattern.test(s.sql))

    async function reset(): Promise<void> {
      await using session = new AsyncSession(engine)
      for (const target of [entryLabels, Entry, Label, Code])
        await session.execute(deleteFrom(target as never), { synchronizeSession: false })
    }

    it("upserts rows added with addUnique in the order of their unique values", async () => {
      await reset()
      const sent = await sentBy((session) => {
        for (const name of ["pear", "apple", "fig", "banana"])
          session.addUnique(new Label({ name }), ["name"])
      })
      const [upsert] = writing(sent, /^INSERT INTO "?lo_labels"? /)
      expect(upsert?.params).toEqual(["apple", "banana", "fig", "pear"])
      await using check = new AsyncSession(engine)
      expect((await check.scalars(select(Label.c.name).orderBy(Label.c.name))).all()).toEqual([
        "apple",
        "banana",
        "fig",
        "pear",
      ])
    })

    it("links an entry to labels in label order, and the labels' objects get their own keys", async () => {
      await reset()
      const names = ["delta", "alpha", "charlie", "bravo"]
      {
        // The labels exist, created in an order that makes their keys differ from their names' order.
        await using session = new AsyncSession(engine)
        for (const name of ["charlie", "alpha", "delta", "bravo"]) session.add(new Label({ name }))
        await session.commit()
      }
      let labels: Label[] = []
      let entry: Entry | undefined
      const sent = await sentBy((session) => {
        labels = names.map((name) => session.addUnique(new Label({ name }), ["name"]))
        entry = new Entry({ title: "linked", labels })
        session.add(entry)
      })
      const [links] = writing(sent, /^INSERT INTO "?lo_entry_labels"? /)
      // One link row per label, ordered by the label's unique name (its upsert's order).
      expect(links?.sql.match(/'(alpha|bravo|charlie|delta)'/g)).toEqual([
        "'alpha'",
        "'bravo'",
        "'charlie'",
        "'delta'",
      ])
      await using check = new AsyncSession(engine)
      const stored = (await check.execute(select(Label.id, Label.c.name))).all()
      const idOf = new Map(stored.map(([id, name]) => [name, id]))
      expect(labels.map((label) => label.id)).toEqual(names.map((name) => idOf.get(name)))
      const linked = await check.scalars(
        select(entryLabels.c.labelId).where(entryLabels.c.entryId.eq((entry as Entry).id)),
      )
      expect(linked.all().sort()).toEqual([...idOf.values()].sort())
    })

    it("inserts association rows of existing rows by primary key", async () => {
      await reset()
      let entry: Entry | undefined
      let labels: Label[] = []
      {
        await using session = new AsyncSession(engine)
        entry = new Entry({ title: "e" })
        labels = ["l1", "l2", "l3", "l4"].map((name) => new Label({ name }))
        session.addAll([entry, ...labels])
        await session.commit()
      }
      const ids = labels.map((label) => label.id)
      const sent = await sentBy(async (session) => {
        const loaded = await session.get(Entry, (entry as Entry).id)
        await session.refresh(loaded as Entry, ["labels"])
        const reversed = await session.scalars(select(Label).orderBy(Label.id.desc()))
        ;(loaded as Entry).labels = reversed.all()
      })
      const [links] = writing(sent, /^INSERT INTO "?lo_entry_labels"? /)
      const expected = [...ids].sort((a, b) => a - b).flatMap((id) => [(entry as Entry).id, id])
      expect(links?.params.map(Number)).toEqual(expected)
    })

    it("inserts rows with application-given keys by key, and rows with generated keys in add order", async () => {
      await reset()
      const sent = await sentBy((session) => {
        for (const code of ["m", "c", "x", "a"]) session.add(new Code({ code, meaning: code.toUpperCase() }))
        for (const title of ["zulu", "alpha", "mike"]) session.add(new Entry({ title }))
      })
      const [codes] = writing(sent, /^INSERT INTO "?lo_codes"? /)
      expect(
        codes?.params.filter((p) => typeof p === "string" && p.length === 1 && p === p.toLowerCase()),
      ).toEqual(["a", "c", "m", "x"])
      await using check = new AsyncSession(engine)
      const entries = (await check.scalars(select(Entry.c.title).orderBy(Entry.id))).all()
      expect(entries).toEqual(["zulu", "alpha", "mike"])
    })

    it("updates and deletes the rows of a table in primary-key order, whatever order they were loaded in", async () => {
      await reset()
      let ids: number[] = []
      {
        await using session = new AsyncSession(engine)
        const entries = ["a", "b", "c", "d", "e"].map((title) => new Entry({ title }))
        session.addAll(entries)
        await session.commit()
        ids = entries.map((e) => e.id)
      }
      const sent = await sentBy(async (session) => {
        const loaded = (await session.scalars(select(Entry).orderBy(Entry.id.desc()))).all()
        for (const [i, entry] of loaded.entries()) {
          if (i < 3) entry.title = `${entry.title}!`
          else await session.delete(entry)
        }
      })
      const keyOf = (s: Sent) => Number(s.params.at(-1))
      const updated = writing(sent, /UPDATE "?lo_entries"? /).map(keyOf)
      const deleted = writing(sent, /DELETE FROM "?lo_entries"? /).map(keyOf)
      // Loaded newest first: the three newest are updated, the two oldest deleted, each in key order.
      expect(updated).toEqual(ids.slice(2))
      expect(deleted).toEqual(ids.slice(0, 2))
    })
  })
}
