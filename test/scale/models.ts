// Models of the scale tests and scripts, made per file (each file's tables carry a prefix of its own,
// all starting `sc_`, so files running at once never share a table).
import {
  column,
  Integer,
  Json,
  LargeBinary,
  model,
  Registry,
  relationship,
  String as Str,
  Text,
  table,
} from "../../src/index.ts"

export function scaleModels(prefix: string) {
  const registry = new Registry()
  const links = table(
    `${prefix}links`,
    {
      parentId: column(Integer, {
        primaryKey: true,
        foreignKey: { references: `${prefix}parents.id`, onDelete: "CASCADE" },
      }),
      tagId: column(Integer, {
        primaryKey: true,
        foreignKey: { references: `${prefix}tags.id`, onDelete: "CASCADE" },
      }),
    },
    { metadata: registry.metadata },
  )

  class Parent extends model(
    `${prefix}parents`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(Str(100)),
      children: relationship<Child[]>("Child", {
        backPopulates: "parent",
        cascade: ["save-update", "delete", "delete-orphan"],
      }),
      tags: relationship<Tag[]>("Tag", { secondary: links }),
    },
    { registry },
  ) {}

  class Child extends model(
    `${prefix}children`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(Str(100)),
      parentId: column(Integer, { foreignKey: `${prefix}parents.id` }),
      parent: relationship<Parent>("Parent", { backPopulates: "children" }),
    },
    { registry },
  ) {}

  class Tag extends model(
    `${prefix}tags`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(Str(100)),
    },
    { registry },
  ) {}

  class Node extends model(
    `${prefix}nodes`,
    {
      id: column(Integer, { primaryKey: true }),
      parentId: column(Integer, { nullable: true, foreignKey: `${prefix}nodes.id` }),
      parent: relationship<Node | null>("Node", { uselist: false, backPopulates: "kids" }),
      kids: relationship<Node[]>("Node", { uselist: true, backPopulates: "parent" }),
    },
    { registry },
  ) {}

  class Doc extends model(
    `${prefix}docs`,
    {
      id: column(Integer, { primaryKey: true }),
      body: column(Text, { nullable: true }),
      data: column(Json(), { nullable: true }),
      blob: column(LargeBinary, { nullable: true }),
    },
    { registry },
  ) {}

  registry.registerModels(Parent, Child, Tag, Node, Doc)
  return { registry, links, Parent, Child, Tag, Node, Doc }
}
