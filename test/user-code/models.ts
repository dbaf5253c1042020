// Models of the user-code attack: application code the ORM calls (listeners, validators, defaults,
// constructors, handlers) that throws or misbehaves. Each test file makes its own tables
// (uc_<file>_*), as test files run at once and each drops its tables when it ends. `hooks` holds what
// the column defaults call, so that each test says what they do; tests set it and put it back.
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

/** What the columns' `default` and `onUpdate` functions return (or throw): each test sets its own. */
export const hooks = {
  code: (): unknown => "C",
  touched: (): unknown => new Date(0),
}

/** Both databases, over HTTP: Neon through neon-local, libSQL through libsql-local. */
export const fixtures: readonly TransportFixture[] = [neonFixture("http", ws), libsqlHttpFixture()]

let n = 0
/** A name no other test or run uses. */
export const uniq = (prefix: string): string => `${prefix}-${++n}-${Math.random().toString(36).slice(2, 8)}`

/** Authors and their books, in tables `uc_<name>_*` of a registry of their own. */
export function userCodeModels(name: string) {
  const registry = new Registry()
  const prefix = `uc_${name}`

  class UcAuthor extends model(
    `${prefix}_authors`,
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

  class UcBook extends model(
    `${prefix}_books`,
    {
      id: column(Integer, { primaryKey: true }),
      title: column(String(60), { unique: true }),
      code: column(String(20), { default: () => hooks.code() as string }),
      touched: column(DateTime, { nullable: true, onUpdate: () => hooks.touched() as Date }),
      authorId: column(Integer, { nullable: true, foreignKey: `${prefix}_authors.id` }),
      author: relationship<UcAuthor | null>("UcAuthor", { backPopulates: "books" }),
    },
    { registry },
  ) {}

  registry.registerModels(UcAuthor, UcBook)

  /** An engine on `fixture` with these tables made fresh before the suite and dropped after it. */
  function suiteEngine(fixture: TransportFixture): Engine {
    const engine = fixture.engine(`${prefix}-${fixture.name}-${Date.now().toString(36)}`)
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
  async function titlesLike(engine: Engine, start: string): Promise<string[]> {
    await using reader = new AsyncSession(engine)
    const rows = await reader.scalars(select(UcBook.title).where(UcBook.title.like(`${start}%`)))
    return rows.all().sort()
  }

  /** An author committed by its own session (with books of these titles): its id. */
  async function storedAuthor(engine: Engine, titles: readonly string[] = []): Promise<number> {
    await using session = new AsyncSession(engine)
    const author = new UcAuthor({ name: uniq("a"), books: titles.map((title) => new UcBook({ title })) })
    session.add(author)
    await session.commit()
    return author.id
  }

  return { UcAuthor, UcBook, suiteEngine, titlesLike, storedAuthor }
}
