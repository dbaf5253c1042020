// Models of the type-truth attack (tables at_*): one column of every type, nullable and not, and each
// kind of relationship.
import {
  BigInteger,
  Boolean,
  column,
  DateOnly,
  DateTime,
  Enum,
  Float,
  func,
  hybrid,
  Integer,
  Json,
  LargeBinary,
  model,
  Numeric,
  Registry,
  registerModels,
  relationship,
  SmallInteger,
  String,
  Text,
  table,
  Uuid,
} from "../../src/index.ts"

export const registry = new Registry()
const metadata = registry.metadata

export class AtUser extends model(
  "at_users",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(50)),
    first: column(String(50), { nullable: true }),
    last: column(String(50), { nullable: true }),
    bio: column(Text, { nullable: true }),
    age: column(Integer, { nullable: true }),
    small: column(SmallInteger, { nullable: true }),
    score: column(Float, { nullable: true }),
    big: column(BigInteger, { nullable: true }),
    price: column(Numeric(10, 2), { nullable: true }),
    active: column(Boolean, { nullable: true }),
    born: column(DateOnly, { nullable: true }),
    seen: column(DateTime, { nullable: true }),
    data: column(Json<{ tags: string[] }>(), { nullable: true }),
    blob: column(LargeBinary, { nullable: true }),
    mood: column(Enum("happy", "sad"), { nullable: true }),
    token: column(Uuid, { nullable: true }),
    createdAt: column(DateTime, { serverDefault: func.now() }),
    flag: column(Boolean, { serverDefault: false }),
    counter: column(Integer, { serverDefault: 7 }),
    posts: relationship<AtPost[]>("AtPost", { backPopulates: "author" }),
    profile: relationship<AtProfile | null>("AtProfile", { uselist: false, backPopulates: "user" }),
  },
  {
    registry,
    hybrids: hybrid((c) => ({
      fullName: c.first.concat(" ").concat(c.last),
      agePlusOne: c.age.add(1),
    })),
  },
) {}

export class AtPost extends model(
  "at_posts",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(100)),
    likes: column(Integer, { default: 0 }),
    userId: column(Integer, { foreignKey: "at_users.id", nullable: true }),
    author: relationship<AtUser | null>("AtUser", { backPopulates: "posts" }),
    tags: relationship<AtTag[]>("AtTag", { secondary: "at_post_tags" }),
  },
  { registry },
) {}

export class AtProfile extends model(
  "at_profiles",
  {
    id: column(Integer, { primaryKey: true }),
    motto: column(Text),
    userId: column(Integer, { foreignKey: "at_users.id", unique: true }),
    user: relationship<AtUser>("AtUser", { backPopulates: "profile" }),
  },
  { registry },
) {}

export class AtTag extends model(
  "at_tags",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(50), { unique: true }),
  },
  { registry },
) {}

export const atPostTags = table(
  "at_post_tags",
  {
    postId: column(Integer, { primaryKey: true, foreignKey: "at_posts.id" }),
    tagId: column(Integer, { primaryKey: true, foreignKey: "at_tags.id" }),
  },
  { metadata },
)

export class AtBig extends model(
  "at_bigs",
  {
    id: column(BigInteger, { primaryKey: true }),
    label: column(Text),
  },
  { registry },
) {}

/** A Core table with every type, for Core selects and RETURNING. */
export const atValues = table(
  "at_values",
  {
    id: column(Integer, { primaryKey: true }),
    n: column(Integer, { nullable: true }),
    f: column(Float, { nullable: true }),
    b: column(BigInteger, { nullable: true }),
    d: column(Numeric(10, 2), { nullable: true }),
    s: column(Text, { nullable: true }),
    day: column(DateOnly, { nullable: true }),
    at: column(DateTime, { nullable: true }),
    ok: column(Boolean, { nullable: true }),
    stamp: column(DateTime, { serverDefault: func.now() }),
  },
  { metadata },
)

/** Hybrids that cast: their SQL value has the cast's type. */
export class AtCast extends model(
  "at_casts",
  {
    id: column(Integer, { primaryKey: true }),
    age: column(Integer, { nullable: true }),
    score: column(Float, { nullable: true }),
    price: column(Numeric(10, 2), { nullable: true }),
    label: column(Text, { nullable: true }),
    big: column(BigInteger, { nullable: true }),
    seen: column(DateTime, { nullable: true }),
  },
  {
    registry,
    hybrids: hybrid((c) => ({
      ageText: c.age.cast(Text),
      pricePlusOne: c.price.cast(Float).add(1),
      bigAge: c.age.cast(BigInteger),
      wholeScore: c.score.cast(Integer),
    })),
  },
) {}
registerModels(AtUser, AtPost, AtProfile, AtTag, AtBig, AtCast)
