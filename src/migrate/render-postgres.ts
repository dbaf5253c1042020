// PostgreSQL alters tables in place, transactionally: every operation is an ALTER TABLE.
import { InvalidRequestError } from "../errors.ts"
import { columnSql, foreignKeySql, names } from "./ddl.ts"
import { renderDefault } from "./defaults.ts"
import type { Operation } from "./operations.ts"
import type { RenderContext } from "./render.ts"
import { resolveColumn } from "./resolve.ts"
import { sqlTypeName } from "./types.ts"

export function renderPostgres(op: Operation, { compiler, dialect }: RenderContext): string[] {
  const q = (name: string) => compiler.quote(name)
  const alter = (table: string) => `ALTER TABLE ${q(table)}`
  switch (op.kind) {
    case "addColumn":
      return [`${alter(op.table)} ADD COLUMN ${columnSql(resolveColumn(op.column, dialect), compiler)}`]
    case "dropColumn":
      return [`${alter(op.table)} DROP COLUMN ${q(op.column)}`]
    case "alterColumn": {
      const { type, nullable, newName } = op.changes
      const column = `${alter(op.table)} ALTER COLUMN ${q(op.column)}`
      const statements: string[] = []
      // ALTER TYPE casts the column's default too, and refuses one it cannot cast as it stands ('0' of a
      // VARCHAR to INTEGER): when the revision also sets the default, the old one goes first.
      const replacesDefault = type !== undefined && op.changes.default !== undefined
      if (replacesDefault) statements.push(`${column} DROP DEFAULT`)
      if (type !== undefined) {
        const name = sqlTypeName(type, dialect)
        // An explicit cast to VARCHAR(n) cuts what is longer; the implicit one (no USING), which every
        // type has to a character type, refuses it instead. Other types convert through USING.
        const using = /^(VARCHAR|CHAR|CHARACTER|TEXT)\b/i.test(name) ? "" : ` USING ${q(op.column)}::${name}`
        // A timestamp without time zone holds UTC, as the ORM writes and reads it; the cast to or from
        // timestamptz (or a date) reads it in the session's TimeZone, which a database may set to its
        // own: every instant would move by that zone's offset. The cast runs in UTC, the zone restored after.
        const zoned = /^(TIMESTAMP|DATE|TIME)\b/i.test(name)
        if (zoned) statements.push(...IN_UTC)
        if (ROUNDING_TARGET.test(name)) statements.push(valuesKeptGuard(op.table, op.column, name, q))
        statements.push(`${column} TYPE ${name}${using}`)
        if (zoned) statements.push(ZONE_RESTORED)
        if (/^(SMALLINT|INTEGER|BIGINT)$/i.test(name))
          statements.push(serialFollows(op.table, op.column, name, q))
      }
      if (nullable !== undefined) statements.push(`${column} ${nullable ? "DROP" : "SET"} NOT NULL`)
      if (op.changes.default !== undefined && !(replacesDefault && op.changes.default === null)) {
        statements.push(
          op.changes.default === null
            ? `${column} DROP DEFAULT`
            : `${column} SET DEFAULT ${renderDefault(op.changes.default, typeof type === "object" ? type : undefined, compiler)}`,
        )
      }
      if (newName !== undefined)
        statements.push(`${alter(op.table)} RENAME COLUMN ${q(op.column)} TO ${q(newName)}`)
      return statements
    }
    case "createForeignKey":
      return [`${alter(op.table)} ADD ${foreignKeySql(op.foreignKey, compiler)}`]
    case "createUniqueConstraint":
      return [`${alter(op.table)} ADD CONSTRAINT ${q(op.name)} UNIQUE (${names(op.columns, compiler)})`]
    case "createCheckConstraint":
      return [`${alter(op.table)} ADD CONSTRAINT ${q(op.name)} CHECK (${op.sql})`]
    case "dropConstraint":
      return [`${alter(op.table)} DROP CONSTRAINT ${q(op.name)}`]
    default:
      throw new InvalidRequestError(`PostgreSQL rendering of "${op.kind}" belongs to the common renderer`)
  }
}

const IN_UTC = [
  "SELECT set_config('edgealchemy.time_zone', current_setting('TimeZone'), true)",
  "SET LOCAL TIME ZONE 'UTC'",
]
const ZONE_RESTORED = "SELECT set_config('TimeZone', current_setting('edgealchemy.time_zone'), true)"

/**
 * Types a cast to rounds or cuts what does not fit, without an error: 1.25 to NUMERIC(10, 0) is 1, a
 * timestamp's microseconds to TIMESTAMP(3) are rounded.
 */
const ROUNDING_TARGET =
  /^(SMALLINT|INTEGER|BIGINT|NUMERIC|DECIMAL|REAL|DOUBLE PRECISION|DATE|TIMESTAMP\(|TIME\(|VARCHAR\(|CHAR\(|CHARACTER\(|BOOLEAN$)/i

/**
 * Fails, before a column's type changes to `type`, when a value would not survive it: cast to the new
 * type and back, it must be what it was (compared as a number or a timestamp when it was text, which
 * has its own spellings of one value: '007' is 7). PostgreSQL rounds a NUMERIC to a smaller scale, a
 * float to an integer, and drops a timestamp's time for a DATE, silently; the revision then fails and
 * rolls back whole, naming a value, as for a VARCHAR narrowed below a value's length. The column's
 * type is read from the catalog as the statement runs: a revision does not know it.
 */
function valuesKeptGuard(table: string, column: string, type: string, q: (name: string) => string): string {
  const literal = (sql: string) => `'${sql.replaceAll("'", "''")}'`
  const [t, c] = [q(table), q(column)]
  // An integer made BOOLEAN is any number but 0 made true (2 comes back 1); text is its spellings.
  const asText = /^BOOLEAN$/i.test(type)
    ? "BOOLEAN"
    : /^DATE\b/i.test(type)
      ? "TIMESTAMP"
      : /^TIME/i.test(type)
        ? type.replace(/\(\d+\)/, "")
        : "NUMERIC"
  // A character type keeps text as it is, or cuts it: a VARCHAR(3) takes 'abc   ' as 'abc', silently
  // (a longer value PostgreSQL refuses, but only when the rest is not spaces).
  const character = /^(VARCHAR|CHAR)/i.test(type)
  const fromText = character
    ? `${c}::text IS DISTINCT FROM ${c}::${type}::text`
    : `${c}::${type}::${asText} IS DISTINCT FROM ${c}::${asText}`
  const select = `SELECT ${c}::text || ' would become ' || ${c}::${type}::text FROM ${t} WHERE `
  return [
    "DO $edgealchemy$ DECLARE old text; changed text; BEGIN",
    `SELECT format_type(a.atttypid, a.atttypmod) INTO old FROM pg_attribute a WHERE a.attrelid = ${literal(t)}::regclass AND a.attname = ${literal(column)} AND NOT a.attisdropped;`,
    // No such column: the ALTER after it says so.
    "IF old IS NULL THEN RETURN; END IF;",
    `EXECUTE ${literal(select)} || CASE WHEN old ~ '^(text|character)' OR ${character} THEN ${literal(fromText)} ELSE ${literal(`${c}::${type}::`)} || old || ${literal(` IS DISTINCT FROM ${c}`)} END || ' LIMIT 1' INTO changed;`,
    `IF changed IS NOT NULL THEN RAISE EXCEPTION 'Changing %.% to % would change its values (%), which PostgreSQL does without an error: mend those rows first (op.execute("UPDATE ...")), or convert them with op.execute() if that is the change wanted', ${literal(table)}, ${literal(column)}, ${literal(type)}, changed; END IF;`,
    "END $edgealchemy$",
  ].join(" ")
}

/**
 * A serial column's sequence (a default of nextval, as other tools make keys) takes the column's new
 * integer type: ALTER COLUMN TYPE leaves it as it was, so a key made BIGINT still stopped at INTEGER's
 * largest value. An identity column's sequence follows by itself.
 */
function serialFollows(table: string, column: string, type: string, q: (name: string) => string): string {
  const literal = (sql: string) => `'${sql.replaceAll("'", "''")}'`
  return [
    `DO $edgealchemy$ DECLARE s text := pg_get_serial_sequence(${literal(q(table))}, ${literal(column)}); BEGIN`,
    `IF s IS NOT NULL AND (SELECT a.attidentity FROM pg_attribute a WHERE a.attrelid = ${literal(q(table))}::regclass AND a.attname = ${literal(column)}) = ''`,
    `THEN EXECUTE 'ALTER SEQUENCE ' || s || ' AS ${type}'; END IF; END $edgealchemy$`,
  ].join(" ")
}

/**
 * After rows are inserted with their keys given (op.bulkInsert), the sequences of identity and serial
 * columns among them move past the largest key: PostgreSQL's sequence does not see a given value, so the
 * application's next row took key 1 again and failed ("duplicate key"). SQLite's rowid needs nothing.
 * A sequence already further on is left there.
 */
export function sequencesCatchUp(
  table: string,
  columns: readonly string[],
  q: (name: string) => string,
): string {
  const literal = (sql: string) => `'${sql.replaceAll("'", "''")}'`
  const list = columns.map(literal).join(", ")
  return [
    "DO $edgealchemy$ DECLARE c text; s text; BEGIN",
    `FOREACH c IN ARRAY ARRAY[${list}]::text[] LOOP s := pg_get_serial_sequence(${literal(q(table))}, c);`,
    `IF s IS NOT NULL THEN EXECUTE format('SELECT setval(%L, m) FROM (SELECT max(%I) AS m FROM %s) x WHERE m > (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM %s)', s, c, ${literal(q(table))}, s); END IF;`,
    "END LOOP; END $edgealchemy$",
  ].join(" ")
}
