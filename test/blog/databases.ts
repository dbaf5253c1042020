// The databases the blog suite runs on, fresh for each run: libSQL through the blog's own endpoint
// (test/blog/global-setup.ts) and a new PostgreSQL database created through the shared Neon endpoint.
// Each names a scope, so the stand-ins count this suite's traffic on its own (`/s/<scope>/__stats`).
import { inject } from "vitest"
import { createEngine, type Engine, text } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neon } from "../../src/neon.ts"
import type { Bindings } from "../../worker/env.ts"
import "./provided.ts"

export const AUTH_SECRET = "blog-suite-secret"

export interface BlogDatabase {
  readonly name: "libsql" | "neon"
  readonly dialect: "sqlite" | "postgresql"
  /** The worker's bindings for this database. */
  readonly env: Bindings
  /** An engine for the suite's own checks of what is stored (counted apart from the app's traffic). */
  readonly inspect: Engine
  /** HTTP requests the stand-in has served the app so far. */
  requests(): Promise<number>
  /** Removes what the run created. */
  drop(): Promise<void>
}

const runId = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`

export async function freshLibsql(): Promise<BlogDatabase> {
  const endpoint = inject("blogLibsql")
  const scope = `blog-libsql-${runId()}`
  return {
    name: "libsql",
    dialect: "sqlite",
    env: {
      DATABASE_URL: `${endpoint.url}/s/${scope}/`,
      DATABASE_AUTH_TOKEN: endpoint.authToken,
      AUTH_SECRET,
    },
    inspect: createEngine(`${endpoint.url}/s/${scope}-inspect/`, {
      driver: libsql({ authToken: endpoint.authToken }),
    }),
    requests: () => httpRequests(`${endpoint.url}/s/${scope}/__stats`),
    // The endpoint's file is temporary and the endpoint the suite's own: it goes with the run.
    drop: async () => undefined,
  }
}

/** A new PostgreSQL database beside the run's scratch one, reached through the Neon endpoint. */
export async function freshNeon(): Promise<BlogDatabase> {
  const endpoint = inject("neon")
  const name = `blog_${runId()}`
  const scope = `blog-neon-${name}`
  const admin = neonEngine(endpoint.connectionString, `${endpoint.httpUrl}/s/${scope}-admin/sql`)
  await admin.execute(text(`CREATE DATABASE ${name}`))
  const url = new URL(endpoint.connectionString)
  url.pathname = `/${name}`
  return {
    name: "neon",
    dialect: "postgresql",
    env: {
      DATABASE_URL: url.toString(),
      NEON_FETCH_ENDPOINT: `${endpoint.httpUrl}/s/${scope}/sql`,
      AUTH_SECRET,
    },
    inspect: neonEngine(url.toString(), `${endpoint.httpUrl}/s/${scope}-inspect/sql`),
    requests: () => httpRequests(`${endpoint.httpUrl}/s/${scope}/__stats`),
    drop: async () => {
      await admin.execute(text(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
    },
  }
}

function neonEngine(connectionString: string, fetchEndpoint: string): Engine {
  return createEngine(connectionString, {
    driver: neon({ fetchEndpoint, useSecureWebSocket: false, pipelineConnect: false }),
  })
}

async function httpRequests(statsUrl: string): Promise<number> {
  const response = await fetch(statsUrl)
  if (!response.ok) throw new Error(`stats at ${statsUrl}: HTTP ${response.status}`)
  return ((await response.json()) as { httpRequests: number }).httpRequests
}
