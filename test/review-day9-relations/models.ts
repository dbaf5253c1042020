// Models of the day-9 relationships review: each test file passes its own prefix, as files run at once
// against one database.
import { column, Integer, model, Registry, relationship, String, table } from "../../src/index.ts"

export function relationModels(prefix: string) {
  const registry = new Registry()

  class Parent extends model(
    `${prefix}_parents`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(40)),
      children: relationship<Child[]>("Child", { backPopulates: "parent", cascade: "all, delete-orphan" }),
      pets: relationship<Pet[]>("Pet", { backPopulates: "owner" }),
    },
    { registry },
  ) {}

  class Child extends model(
    `${prefix}_children`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(40)),
      parentId: column(Integer, { nullable: true, foreignKey: `${prefix}_parents.id` }),
      parent: relationship<Parent | null>("Parent", { backPopulates: "children" }),
    },
    { registry },
  ) {}

  /** A one-to-many with the default cascade: unlinked, not deleted, when taken out. */
  class Pet extends model(
    `${prefix}_pets`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(40)),
      ownerId: column(Integer, { nullable: true, foreignKey: `${prefix}_parents.id` }),
      owner: relationship<Parent | null>("Parent", { backPopulates: "pets" }),
    },
    { registry },
  ) {}

  table(
    `${prefix}_post_tags`,
    {
      postId: column(Integer, { primaryKey: true, foreignKey: `${prefix}_posts.id` }),
      tagId: column(Integer, { primaryKey: true, foreignKey: `${prefix}_tags.id` }),
    },
    { metadata: registry.metadata },
  )

  class Post extends model(
    `${prefix}_posts`,
    {
      id: column(Integer, { primaryKey: true }),
      title: column(String(40)),
      tags: relationship<Tag[]>("Tag", { secondary: `${prefix}_post_tags`, backPopulates: "posts" }),
    },
    { registry },
  ) {}

  class Tag extends model(
    `${prefix}_tags`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(40)),
      posts: relationship<Post[]>("Post", { secondary: `${prefix}_post_tags`, backPopulates: "tags" }),
    },
    { registry },
  ) {}

  /** A tree: an adjacency list whose children go with their parent. */
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

  registry.registerModels(Parent, Child, Pet, Post, Tag, Node)
  return { registry, Parent, Child, Pet, Post, Tag, Node }
}
