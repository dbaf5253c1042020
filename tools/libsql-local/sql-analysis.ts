// What sqld learns from parsing a statement before running it: whether it is one statement, whether it
// is a statement sqld allows at all, whether it is an INSERT/UPDATE/DELETE (only those report
// affected_row_count; only INSERT reports last_insert_rowid), and which parameters it binds.
import { HranaError } from "./errors.ts"
import { type StatementTokens, splitStatements, type Token } from "./sql-lexer.ts"

export type StatementKind = "read" | "write" | "txn-begin" | "txn-end" | "savepoint" | "release" | "other"

export interface AnalyzedStatement {
  /** The statement alone, without surrounding comments or the terminating semicolon. */
  text: string
  kind: StatementKind
  isIud: boolean
  isInsert: boolean
  isExplain: boolean
  /** Parameter names by SQLite index (entry 0 is parameter 1): `?NNN` and `:name` forms keep their
   *  prefix, a bare `?` has no name (undefined). The length is SQLite's parameter count. */
  parameterNames: (string | undefined)[]
}

/** Analyzes SQL that must hold exactly one statement (execute, batch steps, describe). */
export function analyzeSingleStatement(sql: string): AnalyzedStatement {
  const statements = splitStatements(sql)
  const [first] = statements
  if (!first) throw new HranaError("SQL string does not contain any statement", "SQL_NO_STATEMENT")
  if (statements.length > 1) {
    throw new HranaError("SQL string contains more than one statement", "SQL_MANY_STATEMENTS")
  }
  return analyze(first, sql)
}

/** Analyzes SQL for a `sequence` request: any number of statements, all checked before any runs. */
export function analyzeSequence(sql: string): AnalyzedStatement[] {
  return splitStatements(sql).map((statement) => analyze(statement, sql))
}

function analyze(statement: StatementTokens, original: string): AnalyzedStatement {
  const classified = classify(statement.tokens)
  if (classified === "unsupported") {
    throw new HranaError(
      `SQL string could not be parsed: unsupported statement: ${original}`,
      "SQL_PARSE_ERROR",
    )
  }
  return { text: statement.text, ...classified, parameterNames: parameterNames(statement.tokens) }
}

type Classification = Omit<AnalyzedStatement, "text" | "parameterNames">

function plain(kind: StatementKind): Classification {
  return { kind, isIud: false, isInsert: false, isExplain: false }
}

const DML: Record<string, Classification> = {
  SELECT: plain("read"),
  VALUES: plain("read"),
  INSERT: { kind: "write", isIud: true, isInsert: true, isExplain: false },
  REPLACE: { kind: "write", isIud: true, isInsert: true, isExplain: false },
  UPDATE: { kind: "write", isIud: true, isInsert: false, isExplain: false },
  DELETE: { kind: "write", isIud: true, isInsert: false, isExplain: false },
}

/** Mirrors sqld's `StmtKind::kind`: "unsupported" marks statements SQLite knows but sqld refuses.
 *  Text that is not a statement at all is left to SQLite, whose syntax error becomes SQL_PARSE_ERROR. */
function classify(tokens: Token[]): Classification | "unsupported" {
  const words = tokens.map((token) => (token.kind === "word" ? token.upper : token.text))
  const [first, second] = words
  switch (first) {
    case "EXPLAIN": {
      const explained = words.slice(second === "QUERY" ? 3 : 1)
      if (explained[0] !== "PRAGMA") return { ...plain("other"), isExplain: true }
      const kind = pragmaKind(tokens.slice(words.length - explained.length))
      return kind === "unsupported" ? kind : { ...plain(kind), isExplain: true }
    }
    case "WITH":
      return mainVerbAfterWith(tokens) ?? plain("other")
    case "BEGIN":
      return plain("txn-begin")
    case "COMMIT":
    case "END":
      return plain("txn-end")
    case "ROLLBACK":
      return plain(words.includes("TO") ? "release" : "txn-end")
    case "SAVEPOINT":
      return plain("savepoint")
    case "RELEASE":
      return plain("release")
    case "CREATE":
      // sqld keeps connection-bound objects out: TEMP tables, views and triggers are refused, and so
      // are objects named into the temp schema (`temp.t`), which would outlive their stream here.
      return second === "TEMP" || second === "TEMPORARY" || namesTempSchema(tokens)
        ? "unsupported"
        : plain("write")
    case "DROP":
    case "ALTER":
      return plain("write")
    case "PRAGMA": {
      const kind = pragmaKind(tokens)
      return kind === "unsupported" ? kind : plain(kind)
    }
    case "ANALYZE":
    case "ATTACH":
    case "DETACH":
    case "REINDEX":
    case "VACUUM":
      return "unsupported"
    default:
      return (first !== undefined ? DML[first] : undefined) ?? plain("other")
  }
}

/**
 * Whether the object a CREATE makes is named into the temp schema: `CREATE TABLE temp.t`,
 * `CREATE TRIGGER "TEMP".t`. Only the name after the object's kind (and IF NOT EXISTS) counts: a
 * view's body may say `temp.x` of a table aliased `temp`.
 */
function namesTempSchema(tokens: Token[]): boolean {
  const kind = tokens.findIndex((token) => token.kind === "word" && OBJECT_KINDS.has(token.upper))
  if (kind === -1) return false
  let at = kind + 1
  if (tokens[at]?.upper === "IF" && tokens[at + 1]?.upper === "NOT" && tokens[at + 2]?.upper === "EXISTS")
    at += 3
  const token = tokens[at]
  const name = token?.kind === "quoted" ? token.text.slice(1, -1) : token?.kind === "word" ? token.text : ""
  return /^temp(orary)?$/i.test(name) && tokens[at + 1]?.text === "."
}

const OBJECT_KINDS = new Set(["TABLE", "VIEW", "TRIGGER", "INDEX"])

/** `WITH a AS (...), b AS (...) <verb> ...`: the first DML keyword outside parentheses is the verb. */
function mainVerbAfterWith(tokens: Token[]): Classification | undefined {
  let depth = 0
  for (const token of tokens.slice(1)) {
    if (token.text === "(") depth++
    else if (token.text === ")") depth--
    else if (depth === 0 && token.kind === "word" && DML[token.upper]) return DML[token.upper]
  }
  return undefined
}

// sqld's pragma policy, copied from its query analysis: some pragmas always run, some only as reads
// (without a value), everything else is refused because it would change connection state.
const READ_PRAGMAS = new Set([
  "table_list",
  "index_list",
  "table_info",
  "table_xinfo",
  "index_xinfo",
  "pragma_list",
  "compile_options",
  "database_list",
  "function_list",
  "module_list",
  "encoding",
])
const WRITE_PRAGMAS = new Set([
  "defer_foreign_keys",
  "foreign_keys",
  "foreign_key_list",
  "foreign_key_check",
  "collation_list",
  "data_version",
  "freelist_count",
  "integrity_check",
  "legacy_file_format",
  "page_count",
  "quick_check",
  "stats",
  "user_version",
])
const QUERY_ONLY_PRAGMAS = new Set([
  "analysis_limit",
  "application_id",
  "auto_vacuum",
  "automatic_index",
  "busy_timeout",
  "cache_size",
  "cache_spill",
  "cell_size_check",
  "checkpoint_fullfsync",
  "fullfsync",
  "hard_heap_limit",
  "journal_mode",
  "journal_size_limit",
  "legacy_alter_table",
  "locking_mode",
  "max_page_count",
  "mmap_size",
  "page_size",
  "query_only",
  "read_uncommitted",
  "recursive_triggers",
  "reverse_unordered_selects",
  "schema_version",
  "secure_delete",
  "soft_heap_limit",
  "synchronous",
  "temp_store",
  "threads",
  "trusted_schema",
  "wal_autocheckpoint",
])

/** `PRAGMA [schema.]name [= value | (value)]`, tokens starting at PRAGMA. */
function pragmaKind(tokens: Token[]): StatementKind | "unsupported" {
  const hasSchema = tokens[2]?.text === "."
  const name = tokens[hasSchema ? 3 : 1]?.text.toLowerCase()
  const hasValue = tokens.length > (hasSchema ? 4 : 2)
  if (name === undefined) return "other"
  if (READ_PRAGMAS.has(name)) return "read"
  if (WRITE_PRAGMAS.has(name)) return "write"
  if (QUERY_ONLY_PRAGMAS.has(name) && !hasValue) return "write"
  return "unsupported"
}

/** Numbers parameters as SQLite does (sqlite3ExprAssignVarNumber): `?` takes the next index, `?NNN`
 *  takes NNN, a name reuses the index of its first occurrence or takes the next one. An index keeps the
 *  first name given to it, so in `SELECT :b, :a, ?1` the `?1` is `:b` itself (one slot, named `:b`):
 *  that is how sqld lets `?1` stand for the first named value. */
function parameterNames(tokens: Token[]): (string | undefined)[] {
  const names: (string | undefined)[] = []
  const indexByName = new Map<string, number>()
  for (const token of tokens) {
    if (token.kind !== "param") continue
    if (token.text === "?") {
      names.push(undefined)
    } else if (token.text.startsWith("?")) {
      const index = Number(token.text.slice(1))
      while (names.length < index) names.push(undefined)
      if (names[index - 1] === undefined) {
        names[index - 1] = token.text
        indexByName.set(token.text, index)
      }
    } else if (!indexByName.has(token.text)) {
      names.push(token.text)
      indexByName.set(token.text, names.length)
    }
  }
  return names
}
