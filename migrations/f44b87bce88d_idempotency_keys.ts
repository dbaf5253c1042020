// idempotency keys
//
// Revision f44b87bce88d, after 0ca22f918c2f, created 2026-12-06.
// Written by autogenerate: review it (renames show as a drop and an add) before applying.
import { DateTime, defineRevision, Integer, String } from "../src/migrate.ts"

export default defineRevision({
  id: "f44b87bce88d",
  parent: "0ca22f918c2f",
  message: "idempotency keys",
  upgrade(op) {
    op.createTable(
      "idempotency_keys",
      [
        { name: "id", type: Integer, primaryKey: true, autoincrement: true },
        { name: "scope", type: String(40) },
        { name: "request_key", type: String(255) },
        { name: "fingerprint", type: String(64) },
        { name: "status", type: Integer },
        { name: "resource_id", type: Integer },
        { name: "created_at", type: DateTime },
      ],
      {
        uniques: [{ name: "uq_idempotency_keys_scope_request_key", columns: ["scope", "request_key"] }],
      },
    )
  },
  downgrade(op) {
    op.dropTable("idempotency_keys")
  },
})
