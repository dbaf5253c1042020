// Models of the loading-attacks suite: a comment has two many-to-ones to users (its own author, and
// through its post the post's author), so an option applied to the wrong entity shows in the data.
import { column, Integer, model, Registry, relationship, String } from "../../src/index.ts"

export const registry = new Registry()

export class Writer extends model(
  "la_writers",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(50)),
    articles: relationship<Article[]>("Article", { backPopulates: "writer" }),
  },
  { registry },
) {}

export class Article extends model(
  "la_articles",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(50)),
    writerId: column(Integer, { foreignKey: "la_writers.id" }),
    writer: relationship<Writer>("Writer", { backPopulates: "articles" }),
    remarks: relationship<Remark[]>("Remark", { backPopulates: "article" }),
  },
  { registry },
) {}

export class Remark extends model(
  "la_remarks",
  {
    id: column(Integer, { primaryKey: true }),
    body: column(String(50)),
    articleId: column(Integer, { foreignKey: "la_articles.id" }),
    writerId: column(Integer, { foreignKey: "la_writers.id" }),
    article: relationship<Article>("Article", { backPopulates: "remarks" }),
    writer: relationship<Writer>("Writer"),
  },
  { registry },
) {}

registry.registerModels(Writer, Article, Remark)
