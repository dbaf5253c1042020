// Models of the user-code attack (tables uc_*): application code the ORM calls (listeners, validators,
// defaults, constructors, handlers) that throws or misbehaves. `hooks` holds what the column defaults
// call, so that each test says what they do; tests set it and put it back.
import { afterAll, beforeAll } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  createAll,
  DateTime,
  dropAll,
  type Engine,
  Integer,
  Json,
  model,
  Registry,
  relationship,
  String,
  select,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"

export const registry = new Registry()

/** What the columns' `default` and `onUpdate` functions return (or throw): each test sets its own. */
export const hooks = {
  code: (): unknown => "C",
  touched: (): unknown => new Date(0),
}

export class UcAuthor extends model(
  "uc_authors",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(60), { unique: true }),
    note: column(String(60), { nullable: true }),
    meta: column(Json<unknown>(), { nullable: true }),
    books: relationship<UcBook[]>("UcBook", {
      backPopulates: "author",
      cascade: ["save-update", "delete", "delete-orphan"],
    }),
  },
  { registry },
) {}

export class UcBook extends model(
  "uc_books",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(60), { unique: true }),
    code: column(String(20), { default: () => hooks.code() as string }),
    touched: column(DateTime, { nullable: true, onUpdate: () => hooks.touched() as Date }),
    authorId: column(Integer, { nullable: true, foreignKey: "uc_authors.id" }),
    author: relationship<UcAuthor | null>("UcAuthor", { backPopulates: "books" }),
  },
  { registry },
) {}

export class UcAudit extends model(
  "uc_audit",
  {
    id: column(Integer, { primaryKey: true }),
    kind: column(String(60)),
    note: column(String(200), { nullable: true }),
  },
  { registry },
) {}

registry.registerModels(UcAuthor, UcBook, UcAudit)

/** Both databases, over HTTP: Neon through neon-local, libSQL through libsql-local. */
export const fixtures: readonly TransportFixture[] = [neonFixture("http", ws), libsqlHttpFixture()]

let n = 0
/** A name no other test or run uses. */
export const uniq = (prefix: string): string => `${prefix}-${++n}-${Math.random().toString(36).slice(2, 8)}`

/** An engine on `fixture` with the uc_* tables made fresh before the suite and dropped after it. */
export function suiteEngine(fixture: TransportFixture, name: string): Engine {
  const engine = fixture.engine(`uc-${name}-${fixture.name}-${Date.now().toString(36)}`)
  beforeAll(async () => {
    await using connection = engine.connect()
    await dropAll(registry.metadata, connection)
    await createAll(registry.metadata, connection)
  })
  afterAll(async () => {
    await using connection = engine.connect()
    await dropAll(registry.metadata, connection)
  })
  return engine
}

/** What the database holds, read by a session of its own: titles of books whose title starts so. */
export async function titlesLike(engine: Engine, prefix: string): Promise<string[]> {
  await using reader = new AsyncSession(engine)
  const rows = await reader.scalars(select(UcBook.title).where(UcBook.title.like(`${prefix}%`)))
  return rows.all().sort()
}

/** The notes of the audit rows of one kind. */
export async function audits(engine: Engine, kind: string): Promise<string[]> {
  await using reader = new AsyncSession(engine)
  const rows = await reader.scalars(select(UcAudit.note).where(UcAudit.kind.eq(kind)))
  return rows
    .all()
    .map((note) => `${note}`)
    .sort()
}

/** An author committed by its own session (with books of these titles): its id. */
export async function storedAuthor(engine: Engine, titles: readonly string[] = []): Promise<number> {
  await using session = new AsyncSession(engine)
  const author = new UcAuthor({ name: uniq("a"), books: titles.map((title) => new UcBook({ title })) })
  session.add(author)
  await session.commit()
  return author.id
}
