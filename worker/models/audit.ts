// The audit trail of the guide's "Event Listeners": every insert, update and delete of a User or a Post
// adds an AuditLog row to the same flush, so it is written in the same transaction (and the same
// request) as the change, or not at all. `keyOf` gives the key of a row the flush is inserting.
import { type FlushContext, listen, type MapperEvent } from "../../src/index.ts"
import { AuditLog, Post, User } from "./models.ts"

const ACTIONS: [MapperEvent, "create" | "update" | "delete"][] = [
  ["afterInsert", "create"],
  ["afterUpdate", "update"],
  ["afterDelete", "delete"],
]

function audit(entityType: "User" | "Post", action: "create" | "update" | "delete") {
  return (object: object, { session, keyOf }: FlushContext) => {
    session.add(new AuditLog({ entityType, entityId: keyOf(object) as number, action }))
  }
}

for (const [event, action] of ACTIONS) {
  listen(User, event, audit("User", action))
  listen(Post, event, audit("Post", action))
}

// updatedAt changes on every update, whatever the code path (the guide's before_update listener).
listen(Post, "beforeUpdate", (post) => {
  post.updatedAt = new Date()
})
