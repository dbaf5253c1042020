// The operations of the model-based session test, each applied to the real session and to the
// reference model (./reference.ts), and the checks that they agree. Operations name objects by an
// index into the objects that qualify, taken modulo their count when they run, so that any sequence
// fast-check makes or shrinks stays valid; one that finds nothing to act on does nothing on both sides.
// Left out: expire() (the session has none; refresh() and expireOnCommit are what it offers). Expunged
// objects' collections are changed only by taking a child out (removeBook, setCategory, moveCategory).
import fc from "fast-check"
import {
  AsyncSession,
  DatabaseError,
  type Engine,
  InvalidRequestError,
  inspect,
  PendingRollbackError,
  select,
  selectinload,
  text,
} from "../../src/index.ts"
import type { IdentityMap } from "../../src/orm/identity-map.ts"
import type { SessionSavepoint } from "../../src/orm/session.ts"
import { loadedOf, stateOf } from "../../src/orm/state.ts"
import { Author, Book, bookTags, Category, type Kind, MODELS, Tag } from "./models.ts"
import { type Db, Reference, type Row } from "./reference.ts"

const KINDS: readonly Kind[] = ["author", "book", "tag", "category"]
const NAMES = ["ann", "bo", "cy"] as const

export type Op =
  | { op: "addAuthor"; name: string }
  | { op: "addBook"; author: number; category: number | null; name: string; viaCollection: boolean }
  | { op: "addTag"; name: string }
  | { op: "addCategory"; parent: number | null; name: string }
  | { op: "rename"; kind: Kind; pick: number; name: string }
  | { op: "moveBook"; book: number; author: number; viaCollection: boolean }
  | { op: "removeBook"; book: number }
  | { op: "setCategory"; book: number; category: number | null; viaCollection: boolean }
  | { op: "moveCategory"; category: number; parent: number | null; viaCollection: boolean }
  | { op: "link"; book: number; tag: number; viaTag: boolean }
  | { op: "unlink"; book: number; tag: number; viaTag: boolean }
  | { op: "delete"; kind: Kind; pick: number }
  | { op: "flush" }
  | { op: "commit" }
  | { op: "rollback" }
  | { op: "beginNested" }
  | { op: "releaseSavepoint" }
  | { op: "rollbackSavepoint" }
  | { op: "load"; kind: Kind; pick: number; rel: number }
  | { op: "get"; kind: Kind; pick: number }
  | { op: "query"; kind: Kind }
  | { op: "refresh"; kind: Kind; pick: number }
  | { op: "expunge"; kind: Kind; pick: number }
  | { op: "readd"; pick: number }
  | { op: "merge"; pick: number; name: string }
  | { op: "failStatement"; write: boolean; pick: number; after: "release" | "rollback" | "none" }

const pick = fc.nat(50)
const name = fc.constantFrom(...NAMES)
const kind = fc.constantFrom(...KINDS)

/** Operations, weighted toward the ones that change objects. */
export const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant("addAuthor" as const), name }), weight: 2 },
  {
    arbitrary: fc.record({
      op: fc.constant("addBook" as const),
      author: pick,
      category: fc.option(pick),
      name,
      viaCollection: fc.boolean(),
    }),
    weight: 5,
  },
  { arbitrary: fc.record({ op: fc.constant("addTag" as const), name }), weight: 2 },
  {
    arbitrary: fc.record({ op: fc.constant("addCategory" as const), parent: fc.option(pick), name }),
    weight: 2,
  },
  { arbitrary: fc.record({ op: fc.constant("rename" as const), kind, pick, name }), weight: 3 },
  {
    arbitrary: fc.record({
      op: fc.constant("moveBook" as const),
      book: pick,
      author: pick,
      viaCollection: fc.boolean(),
    }),
    weight: 5,
  },
  { arbitrary: fc.record({ op: fc.constant("removeBook" as const), book: pick }), weight: 3 },
  {
    arbitrary: fc.record({
      op: fc.constant("setCategory" as const),
      book: pick,
      category: fc.option(pick),
      viaCollection: fc.boolean(),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      op: fc.constant("moveCategory" as const),
      category: pick,
      parent: fc.option(pick),
      viaCollection: fc.boolean(),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({ op: fc.constant("link" as const), book: pick, tag: pick, viaTag: fc.boolean() }),
    weight: 5,
  },
  {
    arbitrary: fc.record({ op: fc.constant("unlink" as const), book: pick, tag: pick, viaTag: fc.boolean() }),
    weight: 3,
  },
  { arbitrary: fc.record({ op: fc.constant("delete" as const), kind, pick }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant("flush" as const) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("commit" as const) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant("rollback" as const) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("beginNested" as const) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant("releaseSavepoint" as const) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("rollbackSavepoint" as const) }), weight: 2 },
  {
    arbitrary: fc.record({ op: fc.constant("load" as const), kind, pick, rel: fc.nat(2) }),
    weight: 7,
  },
  { arbitrary: fc.record({ op: fc.constant("get" as const), kind, pick }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("query" as const), kind }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant("refresh" as const), kind, pick }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("expunge" as const), kind, pick }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("readd" as const), pick }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("merge" as const), pick, name }), weight: 2 },
  {
    arbitrary: fc.record({
      op: fc.constant("failStatement" as const),
      write: fc.boolean(),
      pick,
      after: fc.constantFrom("release" as const, "rollback" as const, "none" as const),
    }),
    weight: 4,
  },
)

/** An object of the test's models, read loosely: its columns and relationships by key. */
type Entity = Record<string, unknown> & { id?: number; label: string }

/** Relationship keys of each kind, and what each holds. */
const RELATIONSHIPS: Record<Kind, readonly string[]> = {
  author: ["books"],
  book: ["author", "category", "tags"],
  tag: ["books"],
  category: ["parent", "children", "books"],
}
const NAME_KEY: Record<Kind, string> = { author: "name", book: "title", tag: "name", category: "name" }

/** The real session and its objects, beside the reference model. */
export class World {
  readonly ref: Reference
  session: AsyncSession
  readonly objects = new Map<string, Entity>()
  readonly savepoints: SessionSavepoint[] = []
  readonly log: string[] = []
  /** What the database said about each expunged object's row when it was expunged. */
  readonly expunged = new Map<string, string>()

  constructor(
    readonly engine: Engine,
    readonly reader: Engine,
    prefix: string,
  ) {
    this.ref = new Reference(prefix)
    this.session = new AsyncSession(engine)
  }

  obj(label: string): Entity {
    const object = this.objects.get(label)
    if (!object) throw new Error(`no object for ${label}`)
    return object
  }

  labelOf(object: unknown): string | null {
    return object ? (object as Entity).label : null
  }

  /** A live object of a kind the session holds, by index modulo their count. */
  choose(kind: Kind, index: number | null, persistent = false): string | undefined {
    if (index === null) return undefined
    const all = persistent ? this.ref.persistent(kind) : this.ref.held(kind)
    return all.length === 0 ? undefined : all[index % all.length]
  }

  get identityMap(): IdentityMap {
    return (this.session as unknown as { identityMap: IdentityMap }).identityMap
  }
}

/** Whether reading a relationship needs no I/O: loaded, or a new object's (empty until set). */
function readable(object: Entity, key: string): boolean {
  const state = stateOf(object)
  return loadedOf(state).has(key) || state.committed === undefined
}

function list(object: Entity, key: string): object[] {
  return object[key] as object[]
}

/**
 * Whether `owner`'s collection holds `item`, and taking it out there unlinks it. Not when the owner is
 * expunged and the item's side names another object (of the owner's row, which a load gave since):
 * SQLAlchemy's backref then leaves the item as it is, and a collection outside the session writes nothing.
 */
function holds(owner: Entity, key: string, item: Entity, back: string): boolean {
  if (!inSession(owner) && loadedOf(stateOf(item)).has(back) && item[back] !== owner) return false
  return list(owner, key).includes(item)
}

/** Whether the session holds another object for this object's row. */
function heldElsewhere(world: World, object: Entity): boolean {
  const held = world.identityMap.get(stateOf(object).mapper, [object.id])
  return held !== undefined && held !== object
}

/**
 * The detached objects (a row, no session) `object` reaches through loaded relationships, at any depth
 * through objects the session does not hold: what add() attaches with it.
 */
function reachedDetached(world: World, object: Entity): Entity[] {
  const reached = new Set<Entity>([object])
  for (const current of reached) {
    const kind = kindOf(current.label, world) as Kind
    for (const key of RELATIONSHIPS[kind]) {
      if (!loadedOf(stateOf(current)).has(key)) continue
      const value = current[key]
      for (const other of (Array.isArray(value) ? value : value ? [value] : []) as Entity[]) {
        if (!inSession(other) && !stateOf(other).gone) reached.add(other)
      }
    }
  }
  return [...reached].filter((other) => other !== object && stateOf(other).committed !== undefined)
}

/** A book the next flush deletes (an orphan, or its author's marked): a refresh's autoflush takes its row. */
function goesAtFlush(ref: Reference, label: string): boolean {
  const { kind, author } = ref.row(label)
  return kind === "book" && (author === null || (author !== undefined && ref.marked.has(author)))
}

function inSession(object: object): boolean {
  return stateOf(object).session !== undefined
}

/** Takes `item` out of a collection through splice, as an application would; refuses a missing one. */
function spliceOut(world: World, owner: Entity, key: string, item: Entity): void {
  const members = list(owner, key)
  const at = members.indexOf(item)
  if (at < 0) {
    throw new Error(
      `divergence: ${owner.label}.${key} does not hold ${item.label} (holds ${members.map((m) => world.labelOf(m)).join(",")})`,
    )
  }
  members.splice(at, 1)
}

/**
 * Whether a failure that ended the transaction makes the session refuse this call (`always` for calls
 * that write; a read only when its autoflush has something to send): if so, it is called and must be
 * refused with PendingRollbackError, changing nothing on either side.
 */
async function refused(world: World, always: boolean, call: () => Promise<unknown>): Promise<boolean> {
  const { ref } = world
  if (!ref.pendingRollback || (!always && !ref.hasChanges())) return false
  const error = await call().then(
    () => undefined,
    (error: unknown) => error,
  )
  if (!(error instanceof PendingRollbackError))
    throw new Error(
      `divergence: a call after the failure that ended the transaction was not refused (${String(error)})`,
    )
  return true
}

/** The table of each kind a hand-written INSERT may name with just a label and a name. */
const LABELLED_TABLES: Partial<Record<Kind, string>> = { tag: "mb_tags", category: "mb_categories" }

/**
 * A statement the database refuses: an INSERT repeating the label (unique) of a tag or category the
 * database has and the autoflush keeps, or, for a read or when there is none, a SELECT of a missing table.
 */
function refusedStatement(ref: Reference, write: boolean, pick: number): ReturnType<typeof text> {
  const taken = [...ref.flushed.rows].filter(
    ([label, row]) => LABELLED_TABLES[row.kind] && !ref.marked.has(label),
  )
  const chosen = taken[pick % Math.max(taken.length, 1)]
  if (!write || !chosen) return text("SELECT * FROM mb_no_such_table")
  return text(`INSERT INTO ${LABELLED_TABLES[chosen[1].kind]} (label, name) VALUES ('${chosen[0]}', 'again')`)
}

/** Applies one operation to both sides; returns false when it found nothing to act on. */
export async function apply(world: World, op: Op): Promise<boolean> {
  const { ref, session } = world
  switch (op.op) {
    case "addAuthor": {
      const label = ref.newLabel("author")
      const author = new Author({ label, name: op.name }) as unknown as Entity
      world.objects.set(label, author)
      session.add(author)
      ref.add(label, { kind: "author", name: op.name, version: 1 })
      return true
    }
    case "addBook": {
      const a = world.choose("author", op.author)
      if (!a) return false
      const c = world.choose("category", op.category) ?? null
      const label = ref.newLabel("book")
      const author = world.obj(a)
      const category = c ? world.obj(c) : null
      if (op.viaCollection && readable(author, "books")) {
        const book = new Book({ label, title: op.name, category } as never) as unknown as Entity
        world.objects.set(label, book)
        list(author, "books").push(book)
      } else {
        const book = new Book({ label, title: op.name, author, category } as never) as unknown as Entity
        world.objects.set(label, book)
        session.add(book)
      }
      ref.add(label, { kind: "book", name: op.name, author: a, category: c })
      return true
    }
    case "addTag": {
      const label = ref.newLabel("tag")
      const tag = new Tag({ label, name: op.name }) as unknown as Entity
      world.objects.set(label, tag)
      session.add(tag)
      ref.add(label, { kind: "tag", name: op.name })
      return true
    }
    case "addCategory": {
      const p = world.choose("category", op.parent) ?? null
      const label = ref.newLabel("category")
      const category = new Category({
        label,
        name: op.name,
        parent: p ? world.obj(p) : null,
      } as never) as unknown as Entity
      world.objects.set(label, category)
      session.add(category)
      ref.add(label, { kind: "category", name: op.name, parent: p })
      return true
    }
    case "rename": {
      const x = world.choose(op.kind, op.pick)
      if (!x) return false
      world.obj(x)[NAME_KEY[op.kind]] = op.name
      ref.row(x).name = op.name
      return true
    }
    case "moveBook": {
      const b = world.choose("book", op.book)
      const a = world.choose("author", op.author)
      if (!b || !a || ref.row(b).author === a) return false
      const [book, author] = [world.obj(b), world.obj(a)]
      if (op.viaCollection && readable(author, "books")) list(author, "books").push(book)
      else book.author = author
      ref.row(b).author = a
      return true
    }
    case "removeBook": {
      const b = world.choose("book", op.book)
      const a = b && ref.row(b).author
      // Through a collection of an object the session holds, or of one expunged (still holding it).
      if (
        !b ||
        !a ||
        !readable(world.obj(a), "books") ||
        !holds(world.obj(a), "books", world.obj(b), "author")
      )
        return false
      spliceOut(world, world.obj(a), "books", world.obj(b))
      // A pending book taken out of its author's collection is expunged, as SQLAlchemy's
      // delete-orphan cascade expunges a pending orphan.
      if (ref.status.get(b) === "pending") ref.drop(b)
      else ref.row(b).author = null
      return true
    }
    case "setCategory": {
      const b = world.choose("book", op.book)
      const c = world.choose("category", op.category) ?? null
      if (!b || ref.row(b).category === c) return false
      const book = world.obj(b)
      const current = ref.row(b).category
      if (op.viaCollection && c && readable(world.obj(c), "books")) list(world.obj(c), "books").push(book)
      else if (
        op.viaCollection &&
        !c &&
        current &&
        readable(world.obj(current), "books") &&
        holds(world.obj(current), "books", book, "category")
      )
        spliceOut(world, world.obj(current), "books", book)
      else book.category = c ? world.obj(c) : null
      ref.row(b).category = c
      return true
    }
    case "moveCategory": {
      const x = world.choose("category", op.category)
      const p = world.choose("category", op.parent) ?? null
      if (!x || ref.row(x).parent === p || (p && ref.isAncestor(x, p))) return false
      const category = world.obj(x)
      const current = ref.row(x).parent
      if (op.viaCollection && p && readable(world.obj(p), "children"))
        list(world.obj(p), "children").push(category)
      else if (
        op.viaCollection &&
        !p &&
        current &&
        readable(world.obj(current), "children") &&
        holds(world.obj(current), "children", category, "parent")
      )
        spliceOut(world, world.obj(current), "children", category)
      else category.parent = p ? world.obj(p) : null
      ref.row(x).parent = p
      return true
    }
    case "link":
    case "unlink": {
      const b = world.choose("book", op.book)
      const t = world.choose("tag", op.tag)
      if (!b || !t) return false
      const linked = ref.working.links.has(`${b}|${t}`)
      if (linked !== (op.op === "unlink")) return false
      const [book, tag] = [world.obj(b), world.obj(t)]
      const [owner, key, item] =
        op.viaTag && readable(tag, "books")
          ? [tag, "books", book]
          : readable(book, "tags")
            ? [book, "tags", tag]
            : readable(tag, "books")
              ? [tag, "books", book]
              : [undefined, "", book]
      if (!owner) return false
      if (op.op === "link") {
        list(owner, key).push(item)
        ref.working.links.add(`${b}|${t}`)
      } else {
        // Not when the collection holds another object of the item's row (one expunged before a query
        // loaded the row again): which object the application meant is not the model's to say.
        const members = list(owner, key) as Entity[]
        if (!members.includes(item) && members.some((m) => m.label === item.label)) return false
        spliceOut(world, owner, key, item)
        ref.working.links.delete(`${b}|${t}`)
      }
      return true
    }
    case "delete": {
      const x = world.choose(op.kind, op.pick, true)
      if (!x) return false
      const object = world.obj(x)
      // An author's delete takes in the expunged books its loaded collection holds, to delete them
      // with it, as SQLAlchemy's delete() attaches them; it refuses when the session holds another
      // object for such a book's row (a query loaded it again), changing nothing.
      const detached =
        op.kind === "author" && loadedOf(stateOf(object)).has("books")
          ? list(object, "books")
              .map((book) => [world.labelOf(book) as string, book] as const)
              .filter(([label, book]) => ref.detached.has(label) && !inSession(book))
          : []
      if (detached.some(([, book]) => heldElsewhere(world, book as Entity))) {
        let refused = false
        try {
          session.delete(object)
        } catch (error) {
          refused = error instanceof InvalidRequestError
        }
        if (!refused)
          throw new Error(`divergence: delete(${x}) took in a book the session holds another object of`)
        return false
      }
      session.delete(object)
      for (const [label] of detached) {
        ref.detached.delete(label)
        ref.status.set(label, "persistent")
        world.expunged.delete(label)
        ref.working.rows.set(label, { ...(ref.flushed.rows.get(label) as Row) })
      }
      ref.marked.add(x)
      return true
    }
    case "flush":
      if (await refused(world, true, () => session.flush())) return true
      await session.flush()
      ref.flush()
      return true
    case "commit":
      if (await refused(world, true, () => session.commit())) return true
      await session.commit()
      ref.commit()
      world.savepoints.length = 0
      await checkDatabase(world)
      return true
    case "rollback":
      await session.rollback()
      ref.rollback()
      world.savepoints.length = 0
      return true
    case "beginNested": {
      if (world.savepoints.length >= 2) return false
      if (await refused(world, true, () => session.beginNested())) return true
      world.savepoints.push(await session.beginNested())
      ref.beginNested()
      return true
    }
    case "releaseSavepoint":
    case "rollbackSavepoint": {
      const savepoint = world.savepoints.pop()
      if (!savepoint) return false
      if (op.op === "releaseSavepoint") {
        await savepoint.commit()
        ref.releaseSavepoint()
      } else {
        await savepoint.rollback()
        ref.rollbackSavepoint()
      }
      return true
    }
    case "load": {
      const x = world.choose(op.kind, op.pick, true)
      if (!x || goesAtFlush(ref, x)) return false
      const relationships = RELATIONSHIPS[op.kind]
      const key = relationships[op.rel % relationships.length] as string
      if (await refused(world, false, () => session.refresh(world.obj(x), [key]))) return true
      await session.refresh(world.obj(x), [key])
      ref.flush()
      return true
    }
    case "get": {
      // Refused or not by whether it reads (a held object expired or not): left to query and refresh.
      if (ref.pendingRollback && ref.hasChanges()) return false
      // Any object the database gave a key, held or not.
      const labels = [...world.objects.keys()].filter(
        (label) => label.includes(`${op.kind[0]}`) && kindOf(label, world) === op.kind,
      )
      const withKey = labels.filter((label) => world.obj(label).id !== undefined)
      if (withKey.length === 0) return false
      const x = withKey[op.pick % withKey.length] as string
      const object = world.obj(x)
      // A held object a commit or a rollback expired is read again, its autoflush first.
      const expired = stateOf(object).expired
      const found = await session.get(MODELS[op.kind], object.id as number)
      const held = ref.status.has(x) && !ref.marked.has(x)
      if (held) {
        if (expired) ref.flush()
        if ((found as unknown) !== object)
          throw new Error(`divergence: get(${x}) did not return the object the session holds`)
        return true
      }
      if (ref.marked.has(x)) {
        if (found !== null) throw new Error(`divergence: get(${x}) returned an object marked for deletion`)
        return true
      }
      ref.flush()
      const exists = ref.flushed.rows.has(x) && ref.flushed.rows.get(x)?.kind === op.kind
      const other = (found as Entity | null)?.label
      if (!exists && other !== undefined && other !== x && ref.flushed.rows.has(other)) {
        // SQLite gives a deleted row's key to the next row inserted (no AUTOINCREMENT): found is that row.
        if (ref.status.has(other) && (found as unknown) !== world.obj(other))
          throw new Error(`divergence: get(${x}) found ${other}'s row, but not the object the session holds`)
        if (!ref.status.has(other)) adopt(world, other, found as unknown as Entity)
        return true
      }
      if (exists !== (found !== null)) {
        throw new Error(`divergence: get(${x}) returned ${found === null ? "null" : "an object"}`)
      }
      if (found) adopt(world, x, found as unknown as Entity)
      return true
    }
    case "query": {
      const model = MODELS[op.kind]
      const loads = {
        author: selectinload(Author.books),
        book: selectinload(Book.tags),
        tag: selectinload(Tag.books),
        category: selectinload(Category.children),
      }[op.kind]
      const query = select(model as typeof Author)
        .where((model as typeof Author).label.like(`${ref.prefix}%`))
        .options(loads)
      if (await refused(world, false, () => session.scalars(query))) return true
      const found = (await session.scalars(query)).all() as unknown as Entity[]
      ref.flush()
      const expected = [...ref.flushed.rows].filter(([, row]) => row.kind === op.kind).map(([l]) => l)
      const labels = found.map((o) => o.label)
      if (sorted(labels).join() !== sorted(expected).join()) {
        throw new Error(
          `divergence: query of ${op.kind} found ${sorted(labels)}, expected ${sorted(expected)}`,
        )
      }
      for (const object of found) {
        if (ref.status.has(object.label)) {
          if (object !== world.obj(object.label))
            throw new Error(`divergence: query returned a second object for ${object.label}`)
        } else adopt(world, object.label, object)
      }
      return true
    }
    case "expunge": {
      const x = world.choose(op.kind, op.pick, true)
      // Only an object with nothing unflushed: what the flush would write of the rest is not modelled.
      if (!x || aboutRow(ref.working, x) !== aboutRow(ref.flushed, x)) return false
      // Not a book whose author is marked for deletion: the flush refuses a book expunged after its
      // author's delete(), which no longer takes it in (regressions.ts covers that refusal).
      const author = ref.row(x).author
      if (author && ref.marked.has(author)) return false
      session.expunge(world.obj(x))
      ref.status.delete(x)
      ref.detached.add(x)
      world.expunged.set(x, aboutRow(ref.flushed, x))
      return true
    }
    case "readd": {
      const detached = [...ref.detached].filter((label) => !ref.status.has(label))
      if (detached.length === 0) return false
      const x = detached[op.pick % detached.length] as string
      // add() attaches the detached objects it reaches through loaded relationships (all of this
      // schema's cascade save-update), as SQLAlchemy's add() cascades.
      const reached = reachedDetached(world, world.obj(x))
      // Not when it reaches an object expunged before a later one was loaded for its label's row.
      if (reached.some((other) => world.obj(other.label) !== other)) return false
      const labels = [x, ...reached.map((other) => other.label)]
      // Only while their rows and links are as they left them: their loaded relationships are then true.
      if (labels.some((label) => world.expunged.get(label) !== aboutRow(ref.flushed, label))) return false
      // Refused, changing nothing, while the session holds another object for one of their rows (a
      // selectinload loaded it again).
      if (labels.some((label) => heldElsewhere(world, world.obj(label)))) {
        let refused = false
        try {
          session.add(world.obj(x))
        } catch (error) {
          refused = error instanceof InvalidRequestError
        }
        if (!refused || labels.some((label) => inSession(world.obj(label))))
          throw new Error(`divergence: add(${x}) took in an object the session holds another of`)
        return false
      }
      session.add(world.obj(x))
      for (const label of labels) {
        ref.detached.delete(label)
        ref.status.set(label, "persistent")
        ref.working.rows.set(label, { ...(ref.flushed.rows.get(label) as Row) })
      }
      return true
    }
    case "merge": {
      // A copy of an author as a request would bring it: its key, label and a new name.
      const labels = [...world.objects.keys()].filter(
        (label) =>
          kindOf(label, world) === "author" && world.obj(label).id !== undefined && !ref.marked.has(label),
      )
      // Its load flushes first: refused after a failure ended the transaction (flush covers that).
      if (labels.length === 0 || ref.pendingRollback) return false
      const x = labels[op.pick % labels.length] as string
      const held = ref.status.has(x)
      if (!held) {
        // merge() loads the row, autoflushing first; flushed here, so that the row's existence is known.
        await session.flush()
        ref.flush()
        if (!ref.flushed.rows.has(x)) return false
      }
      const copy = new Author({ label: x, name: op.name }) as unknown as Entity
      copy.id = world.obj(x).id as number
      const merged = (await session.merge(copy)) as unknown as Entity
      if (held && merged !== world.obj(x))
        throw new Error(`divergence: merge(${x}) returned another object than the held one`)
      if (!held) adopt(world, x, merged)
      ref.row(x).name = op.name
      return true
    }
    case "failStatement": {
      const statement = refusedStatement(ref, op.write, op.pick)
      // A write is refused before anything is sent, a read only when its autoflush would send something.
      if (await refused(world, op.write, () => session.execute(statement))) return true
      // The autoflush sends the changes first, opening the transaction the failure then ends.
      const changes = ref.hasChanges()
      const inTransaction = session.inTransaction() || changes
      const error = await session.execute(statement).then(
        () => undefined,
        (error: unknown) => error,
      )
      if (!(error instanceof DatabaseError))
        throw new Error(
          `divergence: the refused statement ended with ${String(error)}, not the database's error`,
        )
      if (changes) ref.flush()
      ref.statementFailed(inTransaction)
      // The savepoint it undid: the application's release is refused, its rollback does nothing.
      const savepoint = inTransaction ? world.savepoints.pop() : undefined
      if (savepoint && op.after === "release") {
        const released = await savepoint.commit().then(
          () => undefined,
          (error: unknown) => error,
        )
        if (!(released instanceof InvalidRequestError) || released instanceof PendingRollbackError)
          throw new Error(`divergence: releasing the savepoint a failure undid gave ${String(released)}`)
      } else if (savepoint && op.after === "rollback") await savepoint.rollback()
      return true
    }
    case "refresh": {
      const x = world.choose(op.kind, op.pick, true)
      if (!x || goesAtFlush(ref, x)) return false
      if (await refused(world, false, () => session.refresh(world.obj(x)))) return true
      await session.refresh(world.obj(x))
      const row = ref.row(x)
      const flushed = ref.flushed.rows.get(x)
      if (flushed) row.name = flushed.name
      ref.flush()
      return true
    }
  }
}

function kindOf(label: string, world: World): Kind | undefined {
  const object = world.objects.get(label)
  if (object instanceof Author) return "author"
  if (object instanceof Book) return "book"
  if (object instanceof Tag) return "tag"
  if (object instanceof Category) return "category"
  return undefined
}

/** An object the session loaded for a row it did not hold: it holds that one from now on. */
function adopt(world: World, label: string, object: Entity): void {
  world.objects.set(label, object)
  world.ref.status.set(label, "persistent")
  world.ref.detached.delete(label)
  const row = world.ref.flushed.rows.get(label)
  if (row) world.ref.working.rows.set(label, { ...row })
}

/** Everything the database says about a row: its values, its links, the rows that point at it. */
function aboutRow(db: Db, label: string): string {
  const pointing = [...db.rows].filter(
    ([, row]) => row.author === label || row.category === label || row.parent === label,
  )
  const links = [...db.links].filter((link) => link.split("|").includes(label)).sort()
  return JSON.stringify([db.rows.get(label) ?? null, links, pointing.map(([l, r]) => [l, r]).sort()])
}

function sorted(values: readonly string[]): string[] {
  return [...values].sort()
}

/**
 * Checks the session's objects against the reference: states, identity map, column values, and each
 * loaded relationship against both the reference and the other side of the link.
 */
export function checkSession(world: World): void {
  const { ref } = world
  ref.notePersistent()
  const fail = (message: string) => {
    throw new Error(`divergence: ${message}`)
  }
  for (const [label, object] of world.objects) {
    const state = inspect(object).state
    const status = ref.status.get(label)
    const expected =
      status === undefined
        ? ref.deleted.has(label)
          ? ["deleted"]
          : ["transient", "detached"]
        : status === "pending"
          ? // An object reached only through a collection is added by the next flush's cascade.
            ["pending", "transient"]
          : // Marked for deletion too: persistent until the flush, as SQLAlchemy's.
            ["persistent"]
    if (!expected.includes(state)) fail(`${label} is ${state}, expected ${expected.join(" or ")}`)
    if (status === undefined) continue
    const kind = ref.row(label).kind
    const row = ref.row(label)
    if (object[NAME_KEY[kind]] !== row.name)
      fail(`${label}.${NAME_KEY[kind]} is ${String(object[NAME_KEY[kind]])}, expected ${row.name}`)
    if (status === "persistent") {
      const held = world.identityMap.get(stateOf(object).mapper, [object.id])
      if (held !== object) fail(`the identity map holds ${held ? "another object" : "nothing"} for ${label}`)
    }
    // An object expunged once may still be what other objects' loaded relationships name, beside the
    // one a later query loaded for its row, as in SQLAlchemy: relationships about it are not compared.
    if (world.expunged.has(label)) continue
    for (const key of RELATIONSHIPS[kind]) {
      if (!loadedOf(stateOf(object)).has(key)) continue
      const value = object[key]
      const members = Array.isArray(value) ? value : value ? [value] : []
      // Objects marked for deletion or gone stay in collections until they are loaded again, as in SQLAlchemy.
      const live = (m: unknown) => {
        const l = world.labelOf(m) as string
        return ref.status.has(l) && !ref.marked.has(l) && !world.expunged.has(l)
      }
      const actual = sorted(members.filter(live).map((m) => world.labelOf(m) as string))
      const wanted = sorted(
        expectedMembers(ref, label, kind, key).filter(
          (l) => ref.status.has(l) && !ref.marked.has(l) && !world.expunged.has(l),
        ),
      )
      if (actual.join() !== wanted.join()) fail(`${label}.${key} holds [${actual}], expected [${wanted}]`)
    }
  }
  // No object twice in the identity map, and only persistent ones (a deleted one is out of it).
  const seen = new Set<object>()
  for (const object of world.identityMap.values()) {
    if (seen.has(object)) fail(`${(object as Entity).label} is in the identity map twice`)
    seen.add(object)
    const state = inspect(object).state
    if (state !== "persistent") fail(`the identity map holds a ${state} object`)
  }
}

/** The labels a relationship should hold, by the reference's working rows. */
function expectedMembers(ref: Reference, label: string, kind: Kind, key: string): string[] {
  const row = ref.row(label)
  const rows = [...ref.working.rows]
  const where = (test: (r: Row) => boolean) => rows.filter(([, r]) => test(r)).map(([l]) => l)
  const one = (value: string | null | undefined) => (value ? [value] : [])
  const links = [...ref.working.links].map((link) => link.split("|") as [string, string])
  switch (`${kind}.${key}`) {
    case "author.books":
      return where((r) => r.kind === "book" && r.author === label)
    case "book.author":
      return one(row.author)
    case "book.category":
      return one(row.category)
    case "book.tags":
      return links.filter(([b]) => b === label).map(([, t]) => t)
    case "tag.books":
      return links.filter(([, t]) => t === label).map(([b]) => b)
    case "category.parent":
      return one(row.parent)
    case "category.children":
      return where((r) => r.kind === "category" && r.parent === label)
    case "category.books":
      return where((r) => r.kind === "book" && r.category === label)
  }
  throw new Error(`no relationship ${kind}.${key}`)
}

/** Reads the committed tables through a connection of their own and compares them with the reference. */
export async function checkDatabase(world: World): Promise<void> {
  const { reader, ref } = world
  const [authors, books, tags, categories, links] = await Promise.all([
    reader.execute(select(Author.c.id, Author.c.label, Author.c.name, Author.c.version)),
    reader.execute(select(Book.c.id, Book.c.label, Book.c.title, Book.c.authorId, Book.c.categoryId)),
    reader.execute(select(Tag.c.id, Tag.c.label, Tag.c.name)),
    reader.execute(select(Category.c.id, Category.c.label, Category.c.name, Category.c.parentId)),
    reader.execute(select(bookTags.c.bookId, bookTags.c.tagId)),
  ])
  const label = new Map<string, string>()
  const key = (kind: Kind, id: unknown) => `${kind}:${Number(id)}`
  for (const [id, l] of authors.rows) label.set(key("author", id), l as string)
  for (const [id, l] of books.rows) label.set(key("book", id), l as string)
  for (const [id, l] of tags.rows) label.set(key("tag", id), l as string)
  for (const [id, l] of categories.rows) label.set(key("category", id), l as string)
  const of = (kind: Kind, id: unknown) =>
    id === null || id === undefined ? null : (label.get(key(kind, id)) ?? `?${String(id)}`)
  const actual: Db = { rows: new Map(), links: new Set() }
  for (const [, l, n, v] of authors.rows)
    actual.rows.set(l as string, { kind: "author", name: n as string, version: Number(v) })
  for (const [, l, n, a, c] of books.rows)
    actual.rows.set(l as string, {
      kind: "book",
      name: n as string,
      author: of("author", a),
      category: of("category", c),
    })
  for (const [, l, n] of tags.rows) actual.rows.set(l as string, { kind: "tag", name: n as string })
  for (const [, l, n, p] of categories.rows)
    actual.rows.set(l as string, { kind: "category", name: n as string, parent: of("category", p) })
  for (const [b, t] of links.rows) actual.links.add(`${of("book", b)}|${of("tag", t)}`)
  const describe = (db: Db) =>
    [
      ...[...db.rows].filter(([l]) => l.startsWith(ref.prefix)).map(([l, r]) => `${l}: ${JSON.stringify(r)}`),
      ...[...db.links].filter((l) => l.startsWith(ref.prefix)).map((l) => `link ${l}`),
    ].sort()
  const [got, want] = [describe(actual), describe(ref.committed)]
  if (got.join("\n") !== want.join("\n")) {
    const missing = want.filter((line) => !got.includes(line))
    const extra = got.filter((line) => !want.includes(line))
    throw new Error(
      `divergence: the database after commit differs: missing ${JSON.stringify(missing)}, extra ${JSON.stringify(extra)}`,
    )
  }
}
