// `echo`: one line per statement, with parameters and duration; secrets in URLs are masked.

/** The URL with its password and any token parameter replaced by `***`. */
export function maskUrl(url: string): string {
  return url
    .replace(/\/\/([^/:@]*):[^@/]*@/, "//$1:***@")
    .replace(/([?&](?:authToken|token|password)=)[^&]*/gi, "$1***")
}

export function echoLogger(write: (line: string) => void) {
  return (event: { sql: string; params: readonly unknown[]; durationMs: number; error?: unknown }) => {
    const params = event.params.length ? ` ${formatParams(event.params)}` : ""
    const outcome = event.error
      ? ` failed: ${event.error instanceof Error ? event.error.message : String(event.error)}`
      : ""
    write(`[edgealchemy] ${event.sql}${params} (${event.durationMs.toFixed(1)} ms)${outcome}`)
  }
}

function formatParams(params: readonly unknown[]): string {
  return `[${params
    .map((p) =>
      typeof p === "bigint"
        ? `${p}n`
        : p instanceof Uint8Array
          ? `<${p.byteLength} bytes>`
          : JSON.stringify(p),
    )
    .join(", ")}]`
}
