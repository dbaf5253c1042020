// Models of the day-7 session review: each test file makes its own tables (`${prefix}_*`), as files
// run at once against one database.
import { column, Integer, model, Registry, relationship, String, table } from "../../src/index.ts"

export function sessionModels(prefix: string) {
  const registry = new Registry()
  const links = table(
    `${prefix}_links`,
    {
      postId: column(Integer, { primaryKey: true, foreignKey: `${prefix}_posts.id` }),
      tagId: column(Integer, { primaryKey: true, foreignKey: `${prefix}_tags.id` }),
    },
    { metadata: registry.metadata },
  )

  class Parent extends model(
    `${prefix}_parents`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(40), { unique: true }),
      version: column(Integer, { default: 1 }),
      children: relationship<Child[]>("Child", { backPopulates: "parent", cascade: "all, delete-orphan" }),
    },
    { registry, versionId: "version" },
  ) {}

  class Child extends model(
    `${prefix}_children`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(40), { unique: true }),
      parentId: column(Integer, { nullable: true, foreignKey: `${prefix}_parents.id` }),
      parent: relationship<Parent | null>("Parent", { backPopulates: "children" }),
    },
    { registry },
  ) {}

  class Post extends model(
    `${prefix}_posts`,
    {
      id: column(Integer, { primaryKey: true }),
      title: column(String(40)),
      tags: relationship<Tag[]>("Tag", { secondary: `${prefix}_links`, backPopulates: "posts" }),
    },
    { registry },
  ) {}

  class Tag extends model(
    `${prefix}_tags`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(40)),
      posts: relationship<Post[]>("Post", { secondary: `${prefix}_links`, backPopulates: "tags" }),
    },
    { registry },
  ) {}

  class Node extends model(
    `${prefix}_nodes`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(40)),
      parentId: column(Integer, { nullable: true, foreignKey: `${prefix}_nodes.id` }),
      parent: relationship<Node | null>("Node", { backPopulates: "children", uselist: false }),
      children: relationship<Node[]>("Node", {
        backPopulates: "parent",
        uselist: true,
        cascade: "all, delete-orphan",
      }),
    },
    { registry },
  ) {}

  /** Default cascade (save-update): deleting a shelf unlinks its books. */
  class Shelf extends model(
    `${prefix}_shelves`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(40)),
      books: relationship<Book[]>("Book", { backPopulates: "shelf" }),
    },
    { registry },
  ) {}

  class Book extends model(
    `${prefix}_books`,
    {
      id: column(Integer, { primaryKey: true }),
      title: column(String(40)),
      note: column(String(40), { nullable: true }),
      shelfId: column(Integer, { nullable: true, foreignKey: `${prefix}_shelves.id` }),
      shelf: relationship<Shelf | null>("Shelf", { backPopulates: "books" }),
    },
    { registry },
  ) {}

  registry.registerModels(Parent, Child, Post, Tag, Node, Shelf, Book)
  return { registry, links, Parent, Child, Post, Tag, Node, Shelf, Book }
}
