// The blog's models with their validators and listeners installed: import models from here.
import "./validators.ts"
import "./audit.ts"

export { IdempotencyKey, keyFor as idempotencyKeyFor } from "./idempotency.ts"
export { AuditLog, Comment, Post, postTags, registry, Tag, User } from "./models.ts"
export { foldCase, isTagName, ModelValidationError, tagName } from "./validators.ts"
