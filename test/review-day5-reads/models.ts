// Models of the day-5 read review: each test file makes its own tables (`r5r_<file>_*`), as files run
// at once against one database.
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

/** The models over tables named `${prefix}_users`, `${prefix}_posts`...: one set per test file. */
export function r5Models(prefix: string) {
  const registry = new Registry()
  /** An association table with its own key: the same link may be there twice. */
  const r5Links = table(
    `${prefix}_links`,
    {
      id: column(Integer, { primaryKey: true }),
      postId: column(Integer, { foreignKey: `${prefix}_posts.id` }),
      tagId: column(Integer, { foreignKey: `${prefix}_tags.id` }),
    },
    { metadata: registry.metadata },
  )

  class R5User extends model(
    `${prefix}_users`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(50)),
      managerId: column(Integer, { nullable: true, foreignKey: `${prefix}_users.id` }),
      manager: relationship<R5User | null>("R5User", { backPopulates: "reports", uselist: false }),
      reports: relationship<R5User[]>("R5User", { backPopulates: "manager", uselist: true }),
      posts: relationship<R5Post[]>("R5Post", { backPopulates: "author" }),
      values: relationship<R5Value[]>("R5Value", { backPopulates: "owner" }),
    },
    { registry },
  ) {}

  class R5Post extends model(
    `${prefix}_posts`,
    {
      id: column(Integer, { primaryKey: true }),
      title: column(String(100)),
      userId: column(Integer, { nullable: true, foreignKey: `${prefix}_users.id` }),
      author: relationship<R5User | null>("R5User", { backPopulates: "posts" }),
      tags: relationship<R5Tag[]>("R5Tag", { secondary: `${prefix}_links` }),
    },
    { registry },
  ) {}

  class R5Tag extends model(
    `${prefix}_tags`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(50)),
    },
    { registry },
  ) {}

  /** One column of every type, all nullable, and an owner to load. */
  class R5Value extends model(
    `${prefix}_values`,
    {
      id: column(Integer, { primaryKey: true }),
      ownerId: column(Integer, { nullable: true, foreignKey: `${prefix}_users.id` }),
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
  return { registry, r5Links, R5User, R5Post, R5Tag, R5Value }
}
