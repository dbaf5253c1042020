// Features the session uses only once the app has reached for them: each is installed by the public
// function that needs it (see ./dml.ts), so a bundle carries only the features its app uses.
import type { bulkSync } from "./bulk-sync.ts"
import type { jsonLoad, jsonRows } from "./json-load.ts"
import type { planLoading } from "./loading.ts"

export const plugins: {
  bulkSync?: typeof bulkSync
  /** Loading relationships with a query: installed by the loader options and `lazy` relationships. */
  loads?: {
    readonly plan: typeof planLoading
    readonly json: typeof jsonLoad
    readonly rows: typeof jsonRows
  }
} = {}
