// Models of the day's review (tables rv_*).
import {
  column,
  DateOnly,
  DateTime,
  Float,
  hybrid,
  Integer,
  model,
  Numeric,
  Registry,
  relationship,
  String,
  Text,
  table,
} from "../../src/index.ts"

export const registry = new Registry()

export const rvPostTags = table(
  "rv_post_tags",
  {
    postId: column(Integer, { primaryKey: true, foreignKey: "rv_posts.id" }),
    tagId: column(Integer, { primaryKey: true, foreignKey: "rv_tags.id" }),
  },
  { metadata: registry.metadata },
)

export class RvParent extends model(
  "rv_parents",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(50)),
    children: relationship<RvChild[]>("RvChild", { backPopulates: "parent" }),
  },
  { registry },
) {}

export class RvChild extends model(
  "rv_children",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(50)),
    parentId: column(Integer, { nullable: true, foreignKey: "rv_parents.id" }),
    parent: relationship<RvParent | null>("RvParent", { backPopulates: "children" }),
  },
  { registry },
) {}

export class RvPost extends model(
  "rv_posts",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(50)),
    tags: relationship<RvTag[]>("RvTag", { secondary: rvPostTags, backPopulates: "posts" }),
  },
  { registry },
) {}

export class RvTag extends model(
  "rv_tags",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(50)),
    posts: relationship<RvPost[]>("RvPost", { secondary: rvPostTags, backPopulates: "tags" }),
  },
  { registry },
) {}

export class RvNum extends model(
  "rv_nums",
  {
    id: column(Integer, { primaryKey: true }),
    amount: column(Numeric(10, 2), { nullable: true }),
    weight: column(Float, { nullable: true }),
    txt: column(Text, { nullable: true }),
    at: column(DateTime, { nullable: true }),
    day: column(DateOnly, { nullable: true }),
    n: column(Integer, { nullable: true }),
  },
  {
    registry,
    hybrids: hybrid((c) => ({
      weightText: c.weight.cast(Text),
      amountWhole: c.amount.cast(Numeric(10, 0)),
    })),
  },
) {}

registry.registerModels(RvParent, RvChild, RvPost, RvTag, RvNum)
