// `echo`: one line per statement, with parameters and duration; secrets in URLs are masked.

export { maskUrl } from "../util/mask-url.ts"

export function echoLogger(write: (line: string) => void) {
  return (event: { sql: string; params: readonly unknown[]; durationMs: number; error?: unknown }) => {
    const params = event.params.length ? ` ${JSON.stringify(event.params, shown)}` : ""
    const outcome = event.error
      ? ` failed: ${event.error instanceof Error ? event.error.message : String(event.error)}`
      : ""
    write(`[edgealchemy] ${event.sql}${params} (${event.durationMs.toFixed(1)} ms)${outcome}`)
  }
}

/** A parameter JSON cannot write as it is: a bigint as `5n`, bytes by their count. */
function shown(_key: string, value: unknown): unknown {
  return typeof value === "bigint"
    ? `${value}n`
    : value instanceof Uint8Array
      ? `<${value.byteLength} bytes>`
      : value
}
