// Reads the `Neon-Connection-String` header: who connects to which database on which host. The port is
// ignored (Neon routes by host name, and the driver may drop the port); neon-local has one upstream.

export interface Credentials {
  host: string
  user: string
  password: string
  database: string
}

export function parseConnectionString(value: string | undefined): Credentials | string {
  if (!value) return "missing Neon-Connection-String header"
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return "invalid Neon-Connection-String header: not a URL"
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    return "invalid Neon-Connection-String header: the scheme must be postgres:// or postgresql://"
  }
  const user = decodeURIComponent(url.username)
  if (!user) return "invalid Neon-Connection-String header: no user name"
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    user,
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)) || user,
  }
}
