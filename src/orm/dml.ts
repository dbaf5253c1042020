// `update` and `deleteFrom` as the package exports them: Core's statements, which also switch on the
// session's synchronization of bulk writes (./bulk-sync.ts, with the in-memory evaluator). Reached
// only through these two functions, that code stays out of the bundles of apps that never write in bulk.
import { deleteFrom as coreDeleteFrom } from "../sql/delete.ts"
import { update as coreUpdate } from "../sql/update.ts"
import { bulkSync } from "./bulk-sync.ts"
import { plugins } from "./plugins.ts"

export const update: typeof coreUpdate = (target) => {
  plugins.bulkSync = bulkSync
  return coreUpdate(target)
}

export const deleteFrom: typeof coreDeleteFrom = (target) => {
  plugins.bulkSync = bulkSync
  return coreDeleteFrom(target)
}
