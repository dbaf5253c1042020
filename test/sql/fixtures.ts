// The blog schema of the guide as Core tables, shared by the SQL Core tests.
import { expect } from "vitest"
import {
  Boolean,
  type Compiled,
  column,
  DateTime,
  Enum,
  Integer,
  index,
  MetaData,
  postgresql,
  type Statement,
  String,
  sqlite,
  Text,
  table,
} from "../../src/index.ts"

export const metadata = new MetaData()

export const users = table(
  "users",
  {
    id: column(Integer, { primaryKey: true }),
    username: column(String(50), { unique: true, index: true }),
    email: column(String(100), { unique: true }),
    bio: column(Text, { nullable: true }),
    age: column(Integer, { nullable: true }),
    createdAt: column(DateTime, { default: () => new Date("2024-01-02T03:04:05.678Z") }),
    isActive: column(Boolean, { default: true }),
  },
  { metadata },
)

export const posts = table(
  "posts",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(200)),
    content: column(Text),
    published: column(Boolean, { default: false }),
    status: column(Enum("draft", "live"), { default: "draft" }),
    userId: column(Integer, { foreignKey: { references: "users.id", onDelete: "CASCADE" } }),
    createdAt: column(DateTime, { default: () => new Date("2024-01-02T03:04:05.678Z") }),
  },
  { metadata, indexes: [index("ix_posts_user_created", ["userId", "createdAt"])] },
)

export const tags = table(
  "tags",
  { id: column(Integer, { primaryKey: true }), name: column(String(50), { unique: true }) },
  { metadata },
)

export const postTags = table(
  "post_tags",
  {
    postId: column(Integer, { primaryKey: true, foreignKey: "posts.id" }),
    tagId: column(Integer, { primaryKey: true, foreignKey: "tags.id" }),
  },
  { metadata },
)

/** Asserts the SQL and parameters a statement compiles to on PostgreSQL and on SQLite. */
export function expectCompiled(
  statement: Statement,
  expected: { postgresql: Compiled; sqlite: Compiled },
): void {
  expect({ postgresql: statement.compile(postgresql), sqlite: statement.compile(sqlite) }).toEqual(expected)
}
