// Every DDL statement createAll emits runs on real PostgreSQL and real libSQL, createAll is idempotent,
// the constraints it declares hold, and dropAll leaves nothing behind.
import { afterAll, describe, expect, it } from "vitest"
import {
  BigInteger,
  Boolean,
  check,
  column,
  createAll,
  DateOnly,
  DateTime,
  dropAll,
  Enum,
  Float,
  func,
  Integer,
  index,
  insert,
  Json,
  LargeBinary,
  MetaData,
  Numeric,
  String,
  Text,
  table,
  Uuid,
} from "../../src/index.ts"
import { postgresExecutor, sqliteExecutor, type TestExecutor } from "./executors.ts"

function schema() {
  const metadata = new MetaData()
  const authors = table(
    "ddl_authors",
    {
      id: column(BigInteger, { primaryKey: true }),
      name: column(String(50), { unique: true, index: true }),
      email: column(String(100), { unique: true }),
      joined: column(DateTime, { serverDefault: func.now() }),
      active: column(Boolean, { serverDefault: true }),
    },
    { metadata },
  )
  const articles = table(
    "ddl_articles",
    {
      id: column(Integer, { primaryKey: true }),
      authorId: column(Integer, { foreignKey: { references: "ddl_authors.id", onDelete: "CASCADE" } }),
      title: column(Text),
      day: column(DateOnly, { nullable: true }),
      score: column(Float, { nullable: true }),
      price: column(Numeric(8, 2), { serverDefault: "0.00" }),
      doc: column(Json(), { nullable: true }),
      ref: column(Uuid, { nullable: true }),
      blob: column(LargeBinary, { nullable: true }),
      state: column(Enum("draft", "live"), { serverDefault: "draft" }),
    },
    {
      metadata,
      indexes: [index("ix_ddl_articles_author_day", ["authorId", "day"])],
      constraints: [check("length(title) > 0", "ck_ddl_articles_title")],
    },
  )
  const links = table(
    "ddl_links",
    {
      articleId: column(Integer, { primaryKey: true, foreignKey: "ddl_articles.id" }),
      authorId: column(Integer, { primaryKey: true, foreignKey: "ddl_authors.id" }),
    },
    { metadata },
  )
  return { metadata, authors, articles, links }
}

const catalog: Record<TestExecutor["name"], { tables: string; indexes: string }> = {
  postgresql: {
    tables:
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'ddl\\_%' ORDER BY 1",
    indexes:
      "SELECT indexname FROM pg_indexes WHERE tablename LIKE 'ddl\\_%' AND indexname LIKE 'ix\\_%' ORDER BY 1",
  },
  sqlite: {
    tables:
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'ddl\\_%' ESCAPE '\\' ORDER BY 1",
    indexes:
      "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix\\_%' ESCAPE '\\' ORDER BY 1",
  },
}

describe.each([
  ["PostgreSQL over Neon HTTP", () => postgresExecutor("core-ddl")],
  ["libSQL over HTTP", () => sqliteExecutor("core-ddl")],
])("createAll and dropAll on %s", (_, connect) => {
  const db = connect()
  const { metadata, authors, articles } = schema()
  afterAll(async () => {
    await dropAll(metadata, db)
    db.close()
  })

  it("creates every table and index, twice without error", async () => {
    await createAll(metadata, db)
    await createAll(metadata, db)
    expect((await db.raw(catalog[db.name].tables)).flat()).toEqual([
      "ddl_articles",
      "ddl_authors",
      "ddl_links",
    ])
    expect((await db.raw(catalog[db.name].indexes)).flat()).toEqual([
      "ix_ddl_articles_author_day",
      "ix_ddl_authors_name",
    ])
  })

  it("applies server defaults and enforces unique, check, enum and foreign-key constraints", async () => {
    const [[authorId]] = (await db.execute(
      insert(authors).values({ name: "ada", email: "ada@example.com" }).returning(authors.c.id),
    )) as [[unknown]]
    const [[price, state]] = (await db.execute(
      insert(articles)
        .values({ authorId: Number(authorId), title: "t" })
        .returning(articles.c.price, articles.c.state),
    )) as [[unknown, unknown]]
    expect([Number(`${price}`), state]).toEqual([0, "draft"])
    await expect(
      db.execute(insert(authors).values({ name: "ada", email: "other@example.com" })),
    ).rejects.toThrow(/unique|UNIQUE/)
    await expect(
      db.execute(insert(articles).values({ authorId: Number(authorId), title: "" })),
    ).rejects.toThrow(/check|CHECK/)
    // Core refuses a value outside the enum before sending it; the CHECK guards every other writer.
    await expect(
      db.raw(`INSERT INTO ddl_articles ("authorId", title, state) VALUES (${Number(authorId)}, 'x', 'gone')`),
    ).rejects.toThrow(/check|CHECK/)
    await expect(db.execute(insert(articles).values({ authorId: 999_999, title: "x" }))).rejects.toThrow(
      /foreign key|FOREIGN KEY/,
    )
  })

  it("drops everything it created", async () => {
    await dropAll(metadata, db)
    expect(await db.raw(catalog[db.name].tables)).toEqual([])
    expect(await db.raw(catalog[db.name].indexes)).toEqual([])
  })
})
