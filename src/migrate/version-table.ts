// The version table: one row per applied head, as in Alembic. Each revision's request carries its own
// guard: before any DDL it moves the row from the parents to the revision, and fails (a NOT NULL
// violation, rolling the whole revision back) unless the parents are applied and the revision is not.
// A second runner that raced this one therefore fails without changing anything, and retries from
// what the database now says. On PostgreSQL a transaction-scoped advisory lock also makes concurrent
// runners wait for each other instead of contending inside DDL.
import type { Compiler } from "../sql/compiler/compiler.ts"
import type { Dialect } from "../sql/compiler/dialect.ts"
import { Text } from "../sql/types.ts"
import { migrationCompiler } from "./ddl.ts"
import type { RevisionGraph } from "./revision.ts"

/** A fixed key for pg_advisory_xact_lock: "edgealchemy migrations". */
const ADVISORY_LOCK_KEY = 7_161_837_263

export class VersionTable {
  readonly #compiler: Compiler

  constructor(
    readonly name: string,
    readonly dialect: Dialect,
  ) {
    this.#compiler = migrationCompiler(dialect)
  }

  get quoted(): string {
    return this.#compiler.quote(this.name)
  }

  create(): string {
    return `CREATE TABLE IF NOT EXISTS ${this.quoted} (version_num VARCHAR(64) NOT NULL PRIMARY KEY)`
  }

  select(): string {
    return `SELECT version_num FROM ${this.quoted} ORDER BY version_num`
  }

  /** Serializes runners on PostgreSQL until the end of the transaction; nothing on SQLite (BEGIN IMMEDIATE does it). */
  lock(): string[] {
    return this.dialect.name === "postgresql" ? [`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_KEY})`] : []
  }

  /** The statements that record `revision` as applied, guarded; they go before the revision's DDL. */
  upgrade(graph: RevisionGraph, revision: string): string[] {
    const parents = graph.parents(revision)
    const parentsApplied = parents.map((p) => this.anyOf(graph.withDescendants(p)))
    const notYet = `NOT ${this.anyOf(graph.withDescendants(revision))}`
    return [
      ...this.lock(),
      this.failUnless([...parentsApplied, notYet]),
      ...(parents.length > 0
        ? [`DELETE FROM ${this.quoted} WHERE version_num IN (${this.list(parents)})`]
        : []),
      `INSERT INTO ${this.quoted} (version_num) VALUES (${this.literal(revision)})`,
    ]
  }

  /** The statements that record `revision` as undone: its row goes, its parents that become heads come back. */
  downgrade(revision: string, restoredHeads: readonly string[]): string[] {
    return [
      ...this.lock(),
      this.failUnless([
        `EXISTS (SELECT 1 FROM ${this.quoted} WHERE version_num = ${this.literal(revision)})`,
      ]),
      `DELETE FROM ${this.quoted} WHERE version_num = ${this.literal(revision)}`,
      ...restoredHeads.map((id) => `INSERT INTO ${this.quoted} (version_num) VALUES (${this.literal(id)})`),
    ]
  }

  /**
   * Records `heads` (stamp): the rows they replace go (`replaced`: the heads' ancestors and descendants,
   * every revision for base), with any row no revision has (`known` lists those that are), and rows of
   * other branches stay, as Alembic's stamp keeps them.
   */
  stamp(
    heads: readonly string[],
    replaced: Iterable<string>,
    known: Iterable<string>,
    /** The rows read to work out `heads`: the stamp fails unless the table still holds exactly these. */
    read?: readonly string[],
  ): string[] {
    const [gone, ids] = [[...replaced], [...known]]
    const unknown = ids.length > 0 ? `version_num NOT IN (${this.list(ids)})` : "1 = 1"
    const related = gone.length > 0 ? `version_num IN (${this.list(gone)}) OR ` : ""
    const same =
      read === undefined
        ? []
        : [
            this.failUnless([
              `(SELECT count(*) FROM ${this.quoted}) = ${read.length}`,
              ...(read.length > 0
                ? [
                    `(SELECT count(*) FROM ${this.quoted} WHERE version_num IN (${this.list(read)})) = ${read.length}`,
                  ]
                : []),
            ]),
          ]
    return [
      ...this.lock(),
      ...same,
      `DELETE FROM ${this.quoted} WHERE ${related}${unknown}`,
      ...heads.map((id) => `INSERT INTO ${this.quoted} (version_num) VALUES (${this.literal(id)})`),
    ]
  }

  /** Inserts a NULL, which the NOT NULL key refuses, when a condition does not hold. */
  private failUnless(conditions: readonly string[]): string {
    const all = conditions.length > 0 ? conditions.join(" AND ") : "1 = 1"
    return `INSERT INTO ${this.quoted} (version_num) SELECT NULL WHERE NOT (${all})`
  }

  private anyOf(ids: Iterable<string>): string {
    return `EXISTS (SELECT 1 FROM ${this.quoted} WHERE version_num IN (${this.list(ids)}))`
  }

  private list(ids: Iterable<string>): string {
    return [...ids].map((id) => this.literal(id)).join(", ")
  }

  private literal(id: string): string {
    return this.#compiler.literal(id, Text)
  }
}
