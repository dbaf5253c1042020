// Models of the day-9 attack on events, validators and hybrids: each test file makes its own tables
// (d9ev_<name>_*), on both databases over HTTP (Neon through neon-local, libSQL through libsql-local).
import ws from "ws"
import {
  column,
  type Engine,
  hybrid,
  Integer,
  model,
  Registry,
  relationship,
  String,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

export const fixtures = (): TransportFixture[] => [neonFixture("http", ws), libsqlHttpFixture()]

/** Authors, their books and an audit table, in tables `d9ev_<name>_*` of a registry of their own. */
export function eventModels(name: string) {
  const registry = new Registry()
  const prefix = `d9ev_${name}`

  class Author extends model(
    `${prefix}_authors`,
    {
      id: column(Integer, { primaryKey: true }),
      first: column(String(60)),
      last: column(String(60), { nullable: true }),
      email: column(String(100), { nullable: true }),
      books: relationship<Book[]>("Book", {
        backPopulates: "author",
        cascade: ["save-update", "delete", "delete-orphan"],
      }),
    },
    {
      registry,
      hybrids: hybrid((c) => ({ fullName: c.first.concat(" ").concat(c.last) })),
    },
  ) {}

  class Book extends model(
    `${prefix}_books`,
    {
      id: column(Integer, { primaryKey: true }),
      title: column(String(100)),
      price: column(Integer, { default: 0 }),
      qty: column(Integer, { default: 1 }),
      authorId: column(Integer, { nullable: true, foreignKey: `${prefix}_authors.id` }),
      author: relationship<Author | null>("Author", { backPopulates: "books" }),
    },
    { registry, hybrids: hybrid((c) => ({ total: c.price.mul(c.qty) })) },
  ) {}

  class Audit extends model(
    `${prefix}_audit`,
    {
      id: column(Integer, { primaryKey: true }),
      action: column(String(60)),
      note: column(String(200), { nullable: true }),
    },
    { registry },
  ) {}

  registry.registerModels(Author, Book, Audit)
  return { registry, Author, Book, Audit }
}

let n = 0
/** A name no other test or run uses. */
export const uniq = (prefix: string): string => `${prefix}-${++n}-${Math.random().toString(36).slice(2, 8)}`

/** An engine on `fixture` whose tables are made fresh for the suite and dropped after it. */
export function suiteEngine(
  fixture: TransportFixture,
  name: string,
  registry: Registry,
): { engine: Engine; requests: () => Promise<number> } {
  const scope = `d9ev-${name}-${fixture.name}-${Date.now().toString(36)}`
  const engine = fixture.engine(scope)
  freshSchema(engine, registry.metadata)
  /** The requests the stand-in has answered for this suite so far. */
  const requests = async () => (await fixture.stats(scope))?.httpRequests ?? Number.NaN
  return { engine, requests }
}
