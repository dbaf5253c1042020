// Models of the relationship orderBy review: collections ordered every way the option takes (a function
// for a target declared further down, an array for one declared above, one item alone), one-to-many,
// many-to-many through an association table, self-referential, and a `lazy: "selectin"` default.
import {
  column,
  Integer,
  model,
  Registry,
  type RelationshipOrder,
  relationship,
  String,
  table,
} from "../../src/index.ts"

export function orderModels(prefix: string) {
  const registry = new Registry()

  class Parent extends model(
    `${prefix}_parents`,
    {
      id: column(Integer, { primaryKey: true }),
      label: column(String(40)),
      children: relationship<Child[]>("Child", {
        backPopulates: "parent",
        orderBy: () => [Child.rank.desc(), Child.id],
      }),
      pets: relationship<Pet[]>("Pet", { lazy: "selectin", orderBy: () => Pet.label }),
    },
    { registry },
  ) {}

  class Child extends model(
    `${prefix}_children`,
    {
      id: column(Integer, { primaryKey: true }),
      rank: column(Integer),
      parentId: column(Integer, { nullable: true, foreignKey: `${prefix}_parents.id` }),
      parent: relationship<Parent | null>("Parent", { backPopulates: "children" }),
    },
    { registry },
  ) {}

  class Pet extends model(
    `${prefix}_pets`,
    {
      id: column(Integer, { primaryKey: true }),
      label: column(String(40)),
      ownerId: column(Integer, { nullable: true, foreignKey: `${prefix}_parents.id` }),
    },
    { registry },
  ) {}

  class Tag extends model(
    `${prefix}_tags`,
    {
      id: column(Integer, { primaryKey: true }),
      label: column(String(40)),
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
      // Tag is declared above: the columns themselves will do.
      tags: relationship<Tag[]>("Tag", { secondary: `${prefix}_post_tags`, orderBy: [Tag.label] }),
    },
    { registry },
  ) {}

  class Node extends model(
    `${prefix}_nodes`,
    {
      id: column(Integer, { primaryKey: true }),
      label: column(String(40)),
      parentId: column(Integer, { nullable: true, foreignKey: `${prefix}_nodes.id` }),
      children: relationship<Node[]>("Node", {
        uselist: true,
        orderBy: (): RelationshipOrder => Node.label.desc(),
      }),
    },
    { registry },
  ) {}

  registry.registerModels(Parent, Child, Pet, Tag, Post, Node)
  return { registry, Parent, Child, Pet, Tag, Post, Node }
}
