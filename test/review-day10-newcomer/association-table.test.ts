// The SQLAlchemy guide declares its association table with Table('post_tags', Base.metadata, ...); here
// table() takes its MetaData as an option, and a newcomer who leaves { metadata } out declares a table
// no registry can find. The refusal said only 'Article.tags: no association table "..."', which reads as
// a typo in a name the app can see it declared. It now lists the tables the models' MetaData has and
// names both fixes: the name, or table(..., { metadata }) with the registry's. No database: the refusal
// comes where the relationship is first worked out.
import { describe, expect, it } from "vitest"
import {
  column,
  Integer,
  InvalidRequestError,
  model,
  Registry,
  registerModels,
  relationship,
  String,
  table,
} from "../../src/index.ts"

describe("a many-to-many whose association table the models' MetaData lacks", () => {
  it("names the tables it has and the { metadata } the table was declared without", () => {
    const registry = new Registry()
    class Article extends model(
      "r10nc_articles",
      {
        id: column(Integer, { primaryKey: true }),
        labels: relationship<Label[]>("Label", { secondary: "r10nc_article_labels" }),
      },
      { registry },
    ) {}
    class Label extends model(
      "r10nc_labels",
      { id: column(Integer, { primaryKey: true }), text: column(String(20)) },
      { registry },
    ) {}
    // Declared without { metadata: registry.metadata }.
    table("r10nc_article_labels", {
      articleId: column(Integer, { primaryKey: true, foreignKey: "r10nc_articles.id" }),
      labelId: column(Integer, { primaryKey: true, foreignKey: "r10nc_labels.id" }),
    })
    registerModels(Article, Label)
    const use = () => new Article({ labels: [] })
    expect(use).toThrow(InvalidRequestError)
    expect(use).toThrow(
      'Article.labels: no association table "r10nc_article_labels" in the models\' MetaData (it has r10nc_articles, r10nc_labels): check the name, or declare it with table("r10nc_article_labels", { ... }, { metadata }), metadata being the registry\'s (defaultRegistry.metadata)',
    )
  })
})
