// A statement run again and again with new values for its `bindparam()`s, as the ORM runs `get` and
// its loads. Statements are immutable, so a SELECT's SQL is compiled once per dialect and kept with the
// statement (in a WeakMap: it lives as long as the statement does); each run binds only the values,
// checked and encoded as always. INSERT and UPDATE compile each time: their client-side defaults
// (`default: () => new Date()`) are computed while compiling.

import { cached } from "../util/cached.ts"
import { type Compiled, type CompileOptions, DefaultDialect, type Dialect } from "./compiler/dialect.ts"
import { bindParams, type Template } from "./compiler/expression-compiler.ts"
import { Statement } from "./statement.ts"

// Weak both ways: a dialect made per engine goes with its engine, even under a statement kept for ever.
const templates = new WeakMap<Statement, WeakMap<Dialect, Template>>()

/** The SQL of a SELECT for a dialect, compiled on first use and kept with the statement. */
export function templateOf(statement: Statement, dialect: Dialect): Template {
  const byDialect = cached(templates, statement, () => new WeakMap<Dialect, Template>())
  return cached(byDialect, dialect, () => statement.template(dialect))
}

/** A statement with values for its `bindparam()`s: `new Bound(byId, { id: 7 })` runs like the statement. */
export class Bound<S extends Statement = Statement> extends Statement {
  constructor(
    readonly statement: S,
    readonly values: Readonly<Record<string, unknown>>,
  ) {
    super()
    Object.freeze(this)
  }

  get kind(): string {
    return this.statement.kind
  }

  /** The statement's own state (a select's items and options), for whoever runs it. */
  get state(): unknown {
    return (this.statement as { state?: unknown }).state
  }

  override compile(dialect: Dialect = DefaultDialect.instance, options: CompileOptions = {}): Compiled {
    const kind = this.statement.kind
    if (dialect === DefaultDialect.instance || options.literalBinds || !kind.endsWith("select")) {
      return dialect.compile(this.statement, { ...options, values: this.values })
    }
    return bindParams(templateOf(this.statement, dialect), dialect, this.values)
  }
}
