// Features the session uses only once the app has reached for them: each is installed by the public
// function that needs it (see ./dml.ts), so a bundle carries only the features its app uses.
import type { bulkSync } from "./bulk-sync.ts"

export const plugins: { bulkSync?: typeof bulkSync } = {}
