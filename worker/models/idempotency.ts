// Idempotent creates: a request that carries an `Idempotency-Key` stores the key, in the same commit
// as what it creates, with what the answer needs to be given again (status, the created row's id). A
// retry with the same key finds the key taken (its unique constraint refuses the whole commit, so
// nothing is written twice) and answers the stored result (../http/idempotency.ts).
import { column, DateTime, Integer, listen, model, String, unique } from "../../src/index.ts"
import { registry } from "./models.ts"

export class IdempotencyKey extends model(
  "idempotency_keys",
  {
    id: column(Integer, { primaryKey: true }),
    /** Whose key: `user:<id>`, or `anonymous` for sign-ups. Keys are unique per scope. */
    scope: column(String(40)),
    key: column(String(255), { name: "request_key" }),
    /** SHA-256 (base64url) of the method, path and content of the request: a retry must match it. */
    fingerprint: column(String(64)),
    status: column(Integer),
    /** The id of the row the request created. */
    resourceId: column(Integer, { name: "resource_id" }),
    createdAt: column(DateTime, { name: "created_at", default: () => new Date() }),
  },
  { registry, constraints: [unique(["scope", "key"], "uq_idempotency_keys_scope_request_key")] },
) {}

registry.registerModels(IdempotencyKey)

/** The row each pending key was made for: its id is known only inside the flush that inserts both. */
const createdBy = new WeakMap<IdempotencyKey, object>()

/** A key to store with `created`, an object the same commit inserts. */
export function keyFor(
  fields: { scope: string; key: string; fingerprint: string; status: number },
  created: object,
): IdempotencyKey {
  const record = new IdempotencyKey({ ...fields, resourceId: 0 })
  createdBy.set(record, created)
  return record
}

// The created row's key, as the flush knows it: an expression for a row inserted in the same request.
listen(IdempotencyKey, "beforeInsert", (record, { keyOf }) => {
  const created = createdBy.get(record)
  if (created) record.resourceId = keyOf(created) as number
})
