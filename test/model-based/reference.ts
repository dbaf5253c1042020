// The reference model of the model-based session test: in plain data, what the database holds once
// committed, what the open transaction has flushed, and what the session's objects say should be
// written (SQLAlchemy's semantics, as DESIGN.md adapts them: a rollback puts persistent objects back to
// the committed rows and makes pending ones transient; a savepoint's rollback puts them back as they
// were at the savepoint). Rows are named by their label.
import type { Kind } from "./models.ts"

export interface Row {
  kind: Kind
  /** An author's or category's or tag's name, a book's title. */
  name: string
  /** A book's author (null once taken out of its author's collection: an orphan, deleted at flush). */
  author?: string | null
  /** A book's category. */
  category?: string | null
  /** A category's parent. */
  parent?: string | null
  /** An author's version column. */
  version?: number
}

export interface Db {
  readonly rows: Map<string, Row>
  /** Book-tag links, as `book|tag`. */
  readonly links: Set<string>
}

export type Status = "pending" | "persistent"

export function cloneDb(db: Db): Db {
  return {
    rows: new Map([...db.rows].map(([label, row]) => [label, { ...row }])),
    links: new Set(db.links),
  }
}

const emptyDb = (): Db => ({ rows: new Map(), links: new Set() })

interface Saved {
  flushed: Db
  working: Db
  status: Map<string, Status>
  marked: Set<string>
  detached: Set<string>
  deleted: Set<string>
}

export class Reference {
  committed: Db = emptyDb()
  /** What the database holds inside the open transaction (the committed rows when none is open). */
  flushed: Db = emptyDb()
  /** What the session would write: the flushed rows with its objects' unflushed changes. */
  working: Db = emptyDb()
  /** The objects the session holds, by label. */
  status = new Map<string, Status>()
  /** Objects marked for deletion (session.delete). */
  marked = new Set<string>()
  /** Objects expunged while persistent: their rows stay as flushed. */
  detached = new Set<string>()
  /**
   * Objects the session held whose rows a flush of the open transaction deleted: "deleted" (out of the
   * identity map, still the session's) until the transaction ends, as SQLAlchemy's.
   */
  deleted = new Set<string>()
  savepoints: Saved[] = []
  /**
   * A failed statement ended the transaction (no savepoint to undo instead): the session refuses every
   * write, and the flush a read's autoflush would send, with PendingRollbackError until rollback().
   */
  pendingRollback = false
  #labels = 0

  constructor(readonly prefix: string) {}

  newLabel(kind: Kind): string {
    return `${this.prefix}${kind[0]}${++this.#labels}`
  }

  /** Labels of the session's objects of a kind, in creation order; `live` leaves out marked ones. */
  held(kind: Kind, live = true): string[] {
    return [...this.status.keys()].filter(
      (label) => this.working.rows.get(label)?.kind === kind && (!live || !this.marked.has(label)),
    )
  }

  persistent(kind: Kind, live = true): string[] {
    return this.held(kind, live).filter((label) => this.status.get(label) === "persistent")
  }

  row(label: string): Row {
    const row = this.working.rows.get(label)
    if (!row) throw new Error(`reference: no row ${label}`)
    return row
  }

  add(label: string, row: Row): void {
    this.working.rows.set(label, row)
    this.status.set(label, "pending")
  }

  /** Forgets a pending object (expunged, or a rollback made it transient). */
  drop(label: string): void {
    this.status.delete(label)
    this.marked.delete(label)
    this.working.rows.delete(label)
    for (const link of [...this.working.links])
      if (link.split("|").includes(label)) this.working.links.delete(link)
  }

  /**
   * A flush: deletions cascade (an author's books, orphans, a book's or tag's links; a category's
   * children and books are unlinked), versions of changed authors go up, pending objects become
   * persistent, and the transaction holds what the session said.
   */
  flush(): void {
    const w = this.working
    const doomed = new Set(this.marked)
    for (const [label, row] of w.rows) {
      // Orphans: books taken out of their author's collection and given no other.
      if (row.kind === "book" && row.author === null && this.status.has(label)) doomed.add(label)
    }
    for (let grew = true; grew; ) {
      grew = false
      for (const [label, row] of w.rows) {
        if (row.kind === "book" && !doomed.has(label) && row.author && doomed.has(row.author)) {
          doomed.add(label)
          grew = true
        }
      }
    }
    for (const label of doomed) {
      for (const [other, row] of w.rows) {
        if (doomed.has(other)) continue
        if (row.parent === label) row.parent = null
        if (row.category === label) row.category = null
      }
      for (const link of [...w.links]) if (link.split("|").includes(label)) w.links.delete(link)
    }
    for (const label of doomed) {
      w.rows.delete(label)
      if (this.status.get(label) === "persistent") this.deleted.add(label)
      // A pending book of a deleted author is not inserted: it goes with the author.
      this.status.delete(label)
      this.detached.delete(label)
    }
    this.marked.clear()
    for (const [label, row] of w.rows) {
      const before = this.flushed.rows.get(label)
      if (row.kind === "author" && before && before.name !== row.name) row.version = (before.version ?? 1) + 1
      if (this.status.get(label) === "pending") this.status.set(label, "persistent")
    }
    this.flushed = cloneDb(w)
  }

  /** Whether the session has anything to flush: what a query's autoflush would send. */
  hasChanges(): boolean {
    if (this.marked.size > 0 || [...this.status.values()].includes("pending")) return true
    const rows = (db: Db) =>
      JSON.stringify(
        [...db.rows].filter(([label]) => this.status.has(label)).sort(([a], [b]) => (a < b ? -1 : 1)),
      )
    const links = (db: Db) => JSON.stringify([...db.links].sort())
    return rows(this.working) !== rows(this.flushed) || links(this.working) !== links(this.flushed)
  }

  /**
   * A statement the database refused (after the autoflush that sent the changes before it): inside a
   * savepoint the savepoint's work is undone and the objects put back to it, the transaction going on;
   * inside a transaction without one the transaction ends, the objects are put back as by rollback, and
   * the session refuses writes until rollback(); outside a transaction nothing changes.
   */
  statementFailed(inTransaction: boolean): void {
    if (this.savepoints.length > 0) this.rollbackSavepoint()
    else if (inTransaction) {
      this.rollback()
      this.pendingRollback = true
    }
  }

  commit(): void {
    this.flush()
    this.committed = cloneDb(this.flushed)
    this.savepoints = []
    // Its deletions are committed: those objects are detached.
    this.deleted.clear()
  }

  /** The session's rollback: back to the committed rows; pending objects become transient. */
  rollback(): void {
    const held = new Set(this.status.keys())
    this.flushed = cloneDb(this.committed)
    this.working = cloneDb(this.committed)
    this.status = new Map()
    this.marked.clear()
    this.deleted.clear()
    for (const label of this.committed.rows.keys()) {
      // Held before, or deleted inside the transaction (its object comes back); not detached ones.
      if (!this.detached.has(label) && (held.has(label) || this.everHeld.has(label)))
        this.status.set(label, "persistent")
    }
    this.savepoints = []
    this.pendingRollback = false
  }

  /** Every label the session held at some point while persistent (deleted objects come back on rollback). */
  readonly everHeld = new Set<string>()

  notePersistent(): void {
    for (const [label, status] of this.status) if (status === "persistent") this.everHeld.add(label)
  }

  beginNested(): void {
    this.flush()
    this.savepoints.push({
      flushed: cloneDb(this.flushed),
      working: cloneDb(this.working),
      status: new Map(this.status),
      marked: new Set(this.marked),
      detached: new Set(this.detached),
      deleted: new Set(this.deleted),
    })
  }

  releaseSavepoint(): void {
    this.flush()
    this.savepoints.pop()
  }

  rollbackSavepoint(): void {
    const saved = this.savepoints.pop()
    if (!saved) throw new Error("reference: no savepoint")
    // Objects expunged before it and added again since stay in the session, as SQLAlchemy's rollback
    // expunges only what was new: their rows are as they were when it began.
    const readded = [...saved.detached].filter((label) => this.status.has(label))
    this.flushed = cloneDb(saved.flushed)
    this.working = cloneDb(saved.working)
    this.status = new Map(saved.status)
    this.marked = new Set(saved.marked)
    // Those it deleted are persistent again; those deleted before it stay deleted.
    this.deleted = new Set(saved.deleted)
    // Objects expunged since stay out of the session, as SQLAlchemy's rollback re-attaches only its own.
    const expunged = [...this.detached].filter((label) => !saved.detached.has(label))
    this.detached = new Set(saved.detached)
    for (const label of expunged) {
      this.status.delete(label)
      this.marked.delete(label)
      this.detached.add(label)
    }
    for (const label of readded) {
      const row = this.flushed.rows.get(label)
      if (!row) continue
      this.detached.delete(label)
      this.status.set(label, "persistent")
      this.working.rows.set(label, { ...row })
    }
  }

  /** Whether `ancestor` is `label` or above it in the category tree the session would write. */
  isAncestor(ancestor: string, label: string): boolean {
    for (let at: string | null | undefined = label; at; at = this.working.rows.get(at)?.parent) {
      if (at === ancestor) return true
    }
    return false
  }
}
