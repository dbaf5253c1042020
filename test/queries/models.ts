// Models of the query attacks (tables aq_*).
import {
  Boolean as BooleanType,
  column,
  DateTime,
  Integer,
  Json,
  model,
  Numeric,
  Registry,
  relationship,
  String,
  table,
} from "../../src/index.ts"

export const registry = new Registry()

export const aqPostTags = table(
  "aq_post_tags",
  {
    postId: column(Integer, { primaryKey: true, foreignKey: "aq_posts.id" }),
    tagId: column(Integer, { primaryKey: true, foreignKey: "aq_tags.id" }),
  },
  { metadata: registry.metadata },
)

export class AqUser extends model(
  "aq_users",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(50)),
    age: column(Integer, { nullable: true }),
    posts: relationship<AqPost[]>("AqPost", { backPopulates: "author" }),
  },
  { registry },
) {}

export class AqPost extends model(
  "aq_posts",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(100)),
    score: column(Integer, { nullable: true }),
    userId: column(Integer, { nullable: true, foreignKey: "aq_users.id" }),
    author: relationship<AqUser | null>("AqUser", { backPopulates: "posts" }),
    tags: relationship<AqTag[]>("AqTag", { secondary: "aq_post_tags" }),
  },
  { registry },
) {}

export class AqTag extends model(
  "aq_tags",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(50)),
  },
  { registry },
) {}

/** A tree: a self-referential many-to-one and its collection. */
export class AqNode extends model(
  "aq_nodes",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(50)),
    parentId: column(Integer, { nullable: true, foreignKey: "aq_nodes.id" }),
    parent: relationship<AqNode | null>("AqNode", { backPopulates: "children", uselist: false }),
    children: relationship<AqNode[]>("AqNode", { backPopulates: "parent", uselist: true }),
  },
  { registry },
) {}

/** Values of many types, read through loads and without. */
export class AqDoc extends model(
  "aq_docs",
  {
    id: column(Integer, { primaryKey: true }),
    ownerId: column(Integer, { nullable: true, foreignKey: "aq_users.id" }),
    body: column(Json<unknown>(), { nullable: true }),
    at: column(DateTime, { nullable: true }),
    amount: column(Numeric(20, 6), { nullable: true }),
    flag: column(BooleanType, { nullable: true }),
    owner: relationship<AqUser | null>("AqUser"),
  },
  { registry },
) {}

registry.registerModels(AqUser, AqPost, AqTag, AqNode, AqDoc)
