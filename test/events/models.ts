// Models of the events/hybrids/validators attack (tables ev_*).
import {
  and,
  Boolean,
  column,
  DateTime,
  Float,
  hybrid,
  Integer,
  model,
  or,
  Registry,
  relationship,
  String,
  table,
} from "../../src/index.ts"

export const registry = new Registry()

export const evPostTags = table(
  "ev_post_tags",
  {
    postId: column(Integer, { primaryKey: true, foreignKey: "ev_posts.id" }),
    tagId: column(Integer, { primaryKey: true, foreignKey: "ev_tags.id" }),
  },
  { metadata: registry.metadata },
)

export class EvUser extends model(
  "ev_users",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(60), { unique: true }),
    postCount: column(Integer, { default: 0 }),
    stamp: column(String(60), { nullable: true }),
    posts: relationship<EvPost[]>("EvPost", { backPopulates: "author" }),
  },
  { registry },
) {}

export class EvPost extends model(
  "ev_posts",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(60), { unique: true }),
    stamp: column(String(60), { nullable: true }),
    version: column(Integer, { default: 1 }),
    userId: column(Integer, { nullable: true, foreignKey: "ev_users.id" }),
    author: relationship<EvUser | null>("EvUser", { backPopulates: "posts" }),
    tags: relationship<EvTag[]>("EvTag", { secondary: "ev_post_tags", backPopulates: "posts" }),
  },
  { registry, versionId: "version" },
) {}

export class EvTag extends model(
  "ev_tags",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(60), { unique: true }),
    posts: relationship<EvPost[]>("EvPost", { secondary: "ev_post_tags", backPopulates: "tags" }),
  },
  { registry },
) {}

export class EvAudit extends model(
  "ev_audit",
  {
    id: column(Integer, { primaryKey: true }),
    kind: column(String(60)),
    entityId: column(Integer, { nullable: true }),
    action: column(String(60)),
    note: column(String(200), { nullable: true }),
  },
  { registry },
) {}

export class EvItem extends model(
  "ev_items",
  {
    id: column(Integer, { primaryKey: true }),
    qty: column(Integer, { nullable: true }),
    other: column(Integer, { nullable: true }),
    price: column(Float, { nullable: true }),
    flag: column(Boolean, { nullable: true }),
    name: column(String(60), { nullable: true }),
    label: column(String(60), { nullable: true }),
    at: column(DateTime, { nullable: true }),
  },
  {
    registry,
    hybrids: hybrid((c) => ({
      half: c.qty.div(2),
      ratio: c.qty.div(c.other),
      total: c.qty.mul(c.price),
      full: c.name.concat("-").concat(c.label),
      big: c.qty.gt(5),
      ok: c.flag.eq(true),
      both: and(c.qty.gt(0), c.other.gt(0)),
      either: or(c.qty.gt(0), c.other.gt(0)),
      rem: c.qty.mod(3),
    })),
  },
) {}

registry.registerModels(EvUser, EvPost, EvTag, EvAudit, EvItem)
