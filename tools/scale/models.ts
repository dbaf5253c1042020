// Models of the scale scripts and tests (tables prefixed `sc_`).
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

export const registry = new Registry()

export const links = table(
  "sc_links",
  {
    parentId: column(Integer, {
      primaryKey: true,
      foreignKey: { references: "sc_parents.id", onDelete: "CASCADE" },
    }),
    tagId: column(Integer, {
      primaryKey: true,
      foreignKey: { references: "sc_tags.id", onDelete: "CASCADE" },
    }),
  },
  { metadata: registry.metadata },
)

export class Parent extends model(
  "sc_parents",
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

export class Child extends model(
  "sc_children",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(Str(100)),
    parentId: column(Integer, { foreignKey: "sc_parents.id" }),
    parent: relationship<Parent>("Parent", { backPopulates: "children" }),
  },
  { registry },
) {}

export class Tag extends model(
  "sc_tags",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(Str(100)),
  },
  { registry },
) {}

export class Node extends model(
  "sc_nodes",
  {
    id: column(Integer, { primaryKey: true }),
    parentId: column(Integer, { nullable: true, foreignKey: "sc_nodes.id" }),
    parent: relationship<Node | null>("Node", { uselist: false, backPopulates: "kids" }),
    kids: relationship<Node[]>("Node", { uselist: true, backPopulates: "parent" }),
  },
  { registry },
) {}

export class Doc extends model(
  "sc_docs",
  {
    id: column(Integer, { primaryKey: true }),
    body: column(Text, { nullable: true }),
    data: column(Json(), { nullable: true }),
    blob: column(LargeBinary, { nullable: true }),
  },
  { registry },
) {}

registry.registerModels(Parent, Child, Tag, Node, Doc)
