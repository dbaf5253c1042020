// Models of the day-5 read review (tables r5r_*).
import {
  BigInteger,
  Boolean as BooleanType,
  column,
  DateOnly,
  DateTime,
  Enum,
  Float,
  Integer,
  Json,
  LargeBinary,
  model,
  Numeric,
  Registry,
  relationship,
  SmallInteger,
  String,
  Text,
  table,
  Uuid,
} from "../../src/index.ts"

export const registry = new Registry()

/** An association table with its own key: the same link may be there twice. */
export const r5Links = table(
  "r5r_links",
  {
    id: column(Integer, { primaryKey: true }),
    postId: column(Integer, { foreignKey: "r5r_posts.id" }),
    tagId: column(Integer, { foreignKey: "r5r_tags.id" }),
  },
  { metadata: registry.metadata },
)

export class R5User extends model(
  "r5r_users",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(50)),
    managerId: column(Integer, { nullable: true, foreignKey: "r5r_users.id" }),
    manager: relationship<R5User | null>("R5User", { backPopulates: "reports", uselist: false }),
    reports: relationship<R5User[]>("R5User", { backPopulates: "manager", uselist: true }),
    posts: relationship<R5Post[]>("R5Post", { backPopulates: "author" }),
    values: relationship<R5Value[]>("R5Value", { backPopulates: "owner" }),
  },
  { registry },
) {}

export class R5Post extends model(
  "r5r_posts",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(100)),
    userId: column(Integer, { nullable: true, foreignKey: "r5r_users.id" }),
    author: relationship<R5User | null>("R5User", { backPopulates: "posts" }),
    tags: relationship<R5Tag[]>("R5Tag", { secondary: "r5r_links" }),
  },
  { registry },
) {}

export class R5Tag extends model(
  "r5r_tags",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(50)),
  },
  { registry },
) {}

/** One column of every type, all nullable, and an owner to load. */
export class R5Value extends model(
  "r5r_values",
  {
    id: column(Integer, { primaryKey: true }),
    ownerId: column(Integer, { nullable: true, foreignKey: "r5r_users.id" }),
    small: column(SmallInteger, { nullable: true }),
    big: column(BigInteger, { nullable: true }),
    score: column(Float, { nullable: true }),
    price: column(Numeric(20, 6), { nullable: true }),
    plain: column(Numeric(), { nullable: true }),
    flag: column(BooleanType, { nullable: true }),
    day: column(DateOnly, { nullable: true }),
    at: column(DateTime, { nullable: true }),
    doc: column(Json<unknown>(), { nullable: true }),
    bytes: column(LargeBinary, { nullable: true }),
    mood: column(Enum("ok", "sad"), { nullable: true }),
    token: column(Uuid, { nullable: true }),
    body: column(Text, { nullable: true }),
    owner: relationship<R5User | null>("R5User", { backPopulates: "values" }),
  },
  { registry },
) {}

registry.registerModels(R5User, R5Post, R5Tag, R5Value)
