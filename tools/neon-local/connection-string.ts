// Reads the `Neon-Connection-String` header: who connects to which database on which host. The port is
// ignored (Neon routes by host name, and the driver may drop the port); neon-local has one upstream.

export interface Credentials {
  host: string
  user: string
  password: string
  database: string
}

/** The credentials, or Neon's message (proxy's ConnInfoError) for a header it cannot use. */
export function parseConnectionString(value: string | undefined): Credentials | string {
  if (!value) return "invalid header: neon-connection-string"
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return "invalid connection string: relative URL without a base"
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") return "incorrect scheme"
  // `postgres://user@host` has no path at all; `postgres://user@host/` names the empty database,
  // which PostgreSQL reads as the user's own.
  if (!url.pathname.startsWith("/")) return "missing database name"
  const user = percentDecode(url.username)
  if (!user) return "missing username"
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    user,
    password: percentDecode(url.password),
    database: percentDecode(url.pathname.slice(1).split("/")[0] ?? "") || user,
  }
}

/** Neon's decoding (the urlencoding crate): each valid %XX run becomes its bytes, and a % that starts no
 *  such escape stays as it is. decodeURIComponent throws on a password like `pa%ss`, which Neon accepts. */
function percentDecode(text: string): string {
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) =>
    new TextDecoder().decode(Uint8Array.from(run.slice(1).split("%"), (hex) => Number.parseInt(hex, 16))),
  )
}
