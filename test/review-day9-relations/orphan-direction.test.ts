// delete-orphan deletes here the children a one-to-many collection loses. Declared on a many-to-many
// (`post.tags`) or a many-to-one (`member.org`) it did nothing, silently: a tag taken out of the
// collection stayed, where SQLAlchemy deletes it (with `single_parent`, and refuses the cascade without
// it). It is refused now where the models are first used, naming the side it belongs on.
import { describe, expect, it } from "vitest"
import { column, Integer, model, Registry, relationship, table } from "../../src/index.ts"

describe("delete-orphan on a relationship that is not a one-to-many", () => {
  it("is refused on a many-to-many", () => {
    const registry = new Registry()
    table(
      "r9rel_orph_links",
      {
        postId: column(Integer, { primaryKey: true, foreignKey: "r9rel_orph_posts.id" }),
        tagId: column(Integer, { primaryKey: true, foreignKey: "r9rel_orph_tags.id" }),
      },
      { metadata: registry.metadata },
    )
    class Post extends model(
      "r9rel_orph_posts",
      {
        id: column(Integer, { primaryKey: true }),
        tags: relationship<Tag[]>("Tag", { secondary: "r9rel_orph_links", cascade: "all, delete-orphan" }),
      },
      { registry },
    ) {}
    class Tag extends model("r9rel_orph_tags", { id: column(Integer, { primaryKey: true }) }, { registry }) {}
    registry.registerModels(Post, Tag)
    // Was: accepted; post.tags.pop() then deleted the link and left the tag.
    expect(() => new Post({ id: 1 }).tags.push(new Tag({ id: 1 }))).toThrow(
      "Post.tags is many-to-many: delete-orphan deletes the children a one-to-many collection loses, and would do nothing here",
    )
  })

  it("is refused on a many-to-one, naming the one-to-many side", () => {
    const registry = new Registry()
    class Org extends model(
      "r9rel_orph_orgs",
      {
        id: column(Integer, { primaryKey: true }),
        members: relationship<Member[]>("Member", { backPopulates: "org" }),
      },
      { registry },
    ) {}
    class Member extends model(
      "r9rel_orph_members",
      {
        id: column(Integer, { primaryKey: true }),
        orgId: column(Integer, { nullable: true, foreignKey: "r9rel_orph_orgs.id" }),
        org: relationship<Org | null>("Org", { backPopulates: "members", cascade: ["delete-orphan"] }),
      },
      { registry },
    ) {}
    registry.registerModels(Org, Member)
    expect(() => new Member({ id: 1 }).org).toThrow(
      /Member.org is many-to-one: .* put it on the one-to-many side \(the Org relationship that lists Member objects\)/,
    )
  })
})
