// GET /audit?entityType&entityId: the audit trail, newest first (at most 100 entries).
import { Hono } from "hono"
import * as v from "valibot"
import { select } from "../../src/index.ts"
import { requireUser } from "../auth/require-user.ts"
import type { BlogEnv } from "../http/app-env.ts"
import { idQuery, queryParams } from "../http/validation.ts"
import { AuditLog } from "../models/index.ts"

const auditQuery = v.object({
  entityType: v.optional(v.picklist(["User", "Post"], "must be User or Post")),
  entityId: v.optional(idQuery),
})

export const audit = new Hono<BlogEnv>()

audit.get("/", requireUser, queryParams(auditQuery), async (c) => {
  const { entityType, entityId } = c.req.valid("query")
  const entries = await c.var.session.scalars(
    select(AuditLog)
      .where(
        ...(entityType ? [AuditLog.entityType.eq(entityType)] : []),
        ...(entityId ? [AuditLog.entityId.eq(entityId)] : []),
      )
      .orderBy(AuditLog.timestamp.desc(), AuditLog.id.desc())
      .limit(100),
  )
  return c.json(
    entries.all().map((entry) => ({
      id: entry.id,
      entityType: entry.entityType,
      entityId: entry.entityId,
      action: entry.action,
      timestamp: entry.timestamp.toISOString(),
    })),
  )
})
