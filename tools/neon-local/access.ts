// Who may use the endpoint, decided as Neon's proxy decides it before any byte reaches PostgreSQL: the
// host must be one the endpoint serves (Neon routes by host name), and the client must present the
// endpoint's password. Neon checks the password itself, always in cleartext, then connects upstream
// with its own credentials; so does neon-local, in both modes.

export interface AccessOptions {
  /** The PostgreSQL behind the endpoint; its host names the endpoint, its password is the default one. */
  upstream: URL
  /** The password clients present. Absent: the upstream URL's password (none when it has none). */
  password?: string
  /** Accept any password (never what Neon does; for throwaway setups only). */
  anyPassword?: boolean
}

export interface Refusal {
  code: string
  message: string
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1"])

export class EndpointAccess {
  readonly #host: string
  readonly #password: string
  readonly #anyPassword: boolean

  constructor(options: AccessOptions) {
    this.#host = options.upstream.hostname.toLowerCase()
    this.#password = options.password ?? decodeURIComponent(options.upstream.password)
    this.#anyPassword = options.anyPassword ?? false
  }

  /** What a client must present, for messages; undefined when any password is accepted. */
  get password(): string | undefined {
    return this.#anyPassword ? undefined : this.#password
  }

  /** The upstream's host; a loopback upstream answers to every loopback name (`localhost`, `127.0.0.1`). */
  servesHost(host: string): boolean {
    const name = host.toLowerCase()
    return name === this.#host || (LOOPBACK.has(this.#host) && LOOPBACK.has(name))
  }

  /** Neon answers a host it has no endpoint for (a wrong project) as a wrong password: the official
   *  driver's own tests expect "password authentication failed" there. */
  hostRefusal(host: string, user: string): Refusal | undefined {
    return this.servesHost(host) ? undefined : authenticationFailed(user)
  }

  passwordRefusal(user: string, password: string): Refusal | undefined {
    if (this.#anyPassword || password === this.#password) return undefined
    return authenticationFailed(user)
  }
}

/** Neon's word for a wrong password, a role that does not exist, and a host it does not serve. */
export function authenticationFailed(user: string): Refusal {
  return { code: "28P01", message: `password authentication failed for user "${user}"` }
}

/** PostgreSQL's "role does not exist" (28000) becomes Neon's password failure, which names no role. */
export function asNeonAuthError<T extends { code?: unknown }>(error: T, user: string): T | Refusal {
  return error.code === "28000" ? authenticationFailed(user) : error
}
