// What the blog suite's global setup hands to the tests inside workerd.
import type { LibsqlEndpoint } from "../setup/provided.ts"

declare module "vitest" {
  interface ProvidedContext {
    /** A libSQL endpoint over a fresh file, for the blog suite alone. */
    blogLibsql: LibsqlEndpoint
  }
}
