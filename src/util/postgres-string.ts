// A PostgreSQL string constant that reads the same whatever `standard_conforming_strings` says: text
// with a backslash is written as an escape string (E'...', backslashes doubled), which the setting does
// not change; other text as a plain '...'. Quotes are doubled in both. The constant stays untyped, so
// it takes its type from context, as a bound parameter would.
export function postgresString(text: string): string {
  const quoted = text.replaceAll("'", "''")
  return text.includes("\\") ? `E'${quoted.replaceAll("\\", "\\\\")}'` : `'${quoted}'`
}
