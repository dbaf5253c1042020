// GET /audit?entityType&entityId: the audit trail, newest first (at most 100 entries), for a user
// who still exists: tokens are checked without a query, and a deleted user's token read the trail.
import { Hono } from "hono"
import * as v from "valibot"
import { exists, select } from "../../src/index.ts"
import { requireUser, tokenUserIs } from "../auth/require-user.ts"
import type { BlogEnv } from "../http/app-env.ts"
import { userGone } from "../http/errors.ts"
import { idQuery, queryParams } from "../http/validation.ts"
import { AuditLog, User } from "../models/index.ts"

const auditQuery = v.object({
  entityType: v.optional(v.picklist(["User", "Post"], "must be User or Post")),
  entityId: v.optional(idQuery),
})

export const audit = new Hono<BlogEnv>()

audit.get("/", requireUser, queryParams(auditQuery), async (c) => {
  const { entityType, entityId } = c.req.valid("query")
  const session = c.var.session
  const tokenUser = exists(select(User.id).where(tokenUserIs(c)))
  const entries = (
    await session.scalars(
      select(AuditLog)
        .where(
          tokenUser,
          ...(entityType ? [AuditLog.entityType.eq(entityType)] : []),
          ...(entityId ? [AuditLog.entityId.eq(entityId)] : []),
        )
        .orderBy(AuditLog.timestamp.desc(), AuditLog.id.desc())
        .limit(100),
    )
  ).all()
  // No entry: none matched, or the token's user is gone; asked only then (one request otherwise).
  if (entries.length === 0 && !(await session.scalar(select(tokenUser)))) throw userGone()
  return c.json(
    entries.map((entry) => ({
      id: entry.id,
      entityType: entry.entityType,
      entityId: entry.entityId,
      action: entry.action,
      timestamp: entry.timestamp.toISOString(),
    })),
  )
})
