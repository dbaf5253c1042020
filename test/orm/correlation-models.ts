// Models of the correlation suite (./correlation-suite.ts): authors, their articles and the notes on
// them, a self-referential tree, and a table whose name and columns are SQL keywords.
import { column, Integer, model, Registry, relationship, String } from "../../src/index.ts"

export const registry = new Registry()

export class Author extends model(
  "cr_authors",
  {
    id: column(Integer, { primaryKey: true }),
    handle: column(String(50)),
    articles: relationship<Article[]>("Article", { backPopulates: "author" }),
  },
  { registry },
) {}

export class Article extends model(
  "cr_articles",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(50)),
    authorId: column(Integer, { foreignKey: { references: "cr_authors.id", onDelete: "CASCADE" } }),
    author: relationship<Author>("Author", { backPopulates: "articles" }),
    notes: relationship<Note[]>("Note", { backPopulates: "article" }),
  },
  { registry },
) {}

export class Note extends model(
  "cr_notes",
  {
    id: column(Integer, { primaryKey: true }),
    body: column(String(50)),
    articleId: column(Integer, { foreignKey: { references: "cr_articles.id", onDelete: "CASCADE" } }),
    article: relationship<Article>("Article", { backPopulates: "notes" }),
  },
  { registry },
) {}

/** A tree: `parent` and `children` both link cr_nodes to itself. */
export class Node extends model(
  "cr_nodes",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20)),
    parentId: column(Integer, { nullable: true, foreignKey: "cr_nodes.id" }),
    parent: relationship<Node | null>("Node", { backPopulates: "children", uselist: false }),
    children: relationship<Node[]>("Node", { backPopulates: "parent", uselist: true }),
  },
  { registry },
) {}

/** Keywords of SQLite or PostgreSQL as names: each must be quoted, or the DDL and DML fail. */
export class Keywords extends model(
  "if",
  {
    id: column(Integer, { primaryKey: true }),
    add: column(Integer, { nullable: true }),
    alter: column(Integer, { nullable: true }),
    autoincrement: column(Integer, { nullable: true }),
    commit: column(Integer, { nullable: true }),
    nothing: column(Integer, { nullable: true }),
    raise: column(Integer, { nullable: true }),
    collation: column(String(10), { nullable: true }),
  },
  { registry },
) {}

registry.registerModels(Author, Article, Note, Node, Keywords)
