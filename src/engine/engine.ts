// `createEngine(url, { driver })`: cheap configuration that holds no connection. At the edge there is
// no pool: each request opens a connection on first use and closes it before it ends.

import type { Driver, RoundTrip } from "../drivers/transport.ts"
import { InvalidRequestError } from "../errors.ts"
import type { Dialect } from "../sql/compiler/dialect.ts"
import type { CoreRowOf, Statement } from "../sql/statement.ts"
import { Connection } from "./connection.ts"
import { echoLogger, maskUrl } from "./echo.ts"
import type { Result } from "./result.ts"

/**
 * A driver with the SQL dialect it speaks. Driver entry points hand these out (`neon()`, `libsql()`),
 * so that a bundle carries the compiler of its own database only.
 */
export interface EngineDriver extends Driver {
  readonly sqlDialect: Dialect
}

export function withDialect(driver: Driver, sqlDialect: Dialect): EngineDriver {
  return { ...driver, sqlDialect }
}

export interface EngineOptions {
  /** The driver for this URL, from `edgealchemy/neon` or `edgealchemy/libsql`. */
  driver?: EngineDriver
  /** Several drivers; the engine takes the one that accepts the URL (for one app on either database). */
  drivers?: readonly EngineDriver[]
  /** Log every statement with its parameters and duration: `true` for console.log, or a function. */
  echo?: boolean | ((line: string) => void) | undefined
}

/** One statement as it ran: what the `statement` event reports. */
export interface StatementEvent {
  readonly sql: string
  readonly params: readonly unknown[]
  readonly durationMs: number
  /**
   * Sent as a commit of its own: COMMIT, or a statement that may write sent outside a transaction
   * (SQL text that calls a function included), whose success is durable.
   */
  readonly commits: boolean
  readonly error?: unknown
}

/** A connection opening its transport (its first use): what the `connect` event reports. */
export interface ConnectEvent {
  /** The URL with password and token masked. */
  readonly url: string
  readonly driver: string
}

interface Events {
  roundTrip: RoundTrip
  statement: StatementEvent
  connect: ConnectEvent
}

export class Engine {
  // Declared, not defined: the constructor sets them, and field definitions would be bytes in every bundle.
  declare readonly driver: EngineDriver
  declare readonly dialect: Dialect
  #parent: Engine | undefined
  readonly #listeners: { [E in keyof Events]: Set<(event: Events[E]) => void> } = {
    roundTrip: new Set(),
    statement: new Set(),
    connect: new Set(),
  }

  constructor(
    readonly url: string,
    options: EngineOptions = {},
  ) {
    this.driver = pickDriver(url, options)
    this.dialect = this.driver.sqlDialect
    const write = options.echo === true ? console.log : options.echo || undefined
    if (write) {
      this.on("connect", (event) => write(`[edgealchemy] connect ${event.url} (${event.driver})`))
      this.on("statement", echoLogger(write))
    }
  }

  /** Listens to every round trip (a request and its answer) or statement of this engine's connections. */
  on<E extends keyof Events>(event: E, listener: (event: Events[E]) => void): () => void {
    this.#listeners[event].add(listener)
    return () => this.#listeners[event].delete(listener)
  }

  /** Whether anything listens to an event here or on a parent: events nobody hears are not built. */
  listens(event: keyof Events): boolean {
    return this.#listeners[event].size > 0 || (this.#parent?.listens(event) ?? false)
  }

  /**
   * Calls the listeners of an event; used by this engine's connections. A listener that throws (a
   * logger whose sink is down) is reported on the console and changes nothing else: the events report
   * requests already answered, and a failure there would turn a commit the database applied into one
   * the application retries.
   */
  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    for (const listener of this.#listeners[event]) {
      try {
        listener(payload)
      } catch (error) {
        console.error(`[edgealchemy] a "${event}" listener threw; the request's outcome stands:`, error)
      }
    }
    this.#parent?.emit(event, payload)
  }

  /**
   * An engine on this one's driver and URL whose listeners hear only the connections made through it;
   * this engine still hears them too. Engines are shared by concurrent requests, so a request that
   * accounts for its own traffic (a Server-Timing header) opens its session on a child. Like
   * SQLAlchemy's `engine.execution_options()`, it costs nothing: engines hold no connection.
   */
  child(): Engine {
    const child = new Engine(this.url, { driver: this.driver })
    child.#parent = this
    return child
  }

  /** A connection; it opens on first use. Close it, or use `await using`. */
  connect(): Connection {
    return new Connection(this)
  }

  /** Runs one statement on a connection of its own, closed afterwards. */
  async execute<S extends Statement>(
    statement: S,
    params?: readonly unknown[],
  ): Promise<Result<CoreRowOf<S>>> {
    const connection = this.connect()
    try {
      return await connection.execute(statement, params)
    } finally {
      await connection.close()
    }
  }

  toString(): string {
    return `Engine(${maskUrl(this.url)})`
  }
}

export function createEngine(url: string, options: EngineOptions = {}): Engine {
  return new Engine(url, options)
}

/** The `createEngine` of a driver's entry point: engine options and that driver's options in one object. */
export function engineFactory<O extends object>(makeDriver: (options: O) => EngineDriver) {
  return (url: string, options: Omit<EngineOptions, "driver" | "drivers"> & O = {} as O): Engine => {
    const { echo, ...driverOptions } = options
    return new Engine(url, { driver: makeDriver(driverOptions as O), echo })
  }
}

function pickDriver(url: string, options: EngineOptions): EngineDriver {
  const drivers = [...(options.driver ? [options.driver] : []), ...(options.drivers ?? [])]
  const found = drivers.find((driver) => driver.accepts(url))
  if (found) return found
  const given = drivers.length ? ` (given: ${drivers.map((d) => d.name).join(", ")})` : ""
  throw new InvalidRequestError(
    url
      ? `No driver for ${maskUrl(url)}${given}: ${driverHint(url)}`
      : `No database URL (${JSON.stringify(url)}): is its binding set?`,
  )
}

/** What serves a URL: the entry point whose createEngine takes it, or the URLs the drivers take. */
function driverHint(url: string): string {
  const [entry, note = ""] = /^postgres(ql)?:/i.test(url)
    ? ["neon"]
    : /^(libsql|https?):/i.test(url)
      ? ["libsql"]
      : /^(file:|:memory:)/.test(url)
        ? ["libsql-node", " (Node only)"]
        : []
  return entry
    ? `import { createEngine } from "edgealchemy/${entry}"${note}`
    : "edgealchemy takes postgresql://user:password@host/db (Neon), libsql:// or https:// (Turso), file:path.db (Node)"
}
