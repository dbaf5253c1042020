// Models of the shared-state attack (tables as_*), in a registry of their own.
import { column, DateTime, Integer, model, Registry, relationship, String, table } from "../../src/index.ts"

export function makeModels(prefix: string) {
  const registry = new Registry()

  const asPostTags = table(
    `${prefix}_post_tags`,
    {
      postId: column(Integer, { primaryKey: true, foreignKey: `${prefix}_posts.id` }),
      tagId: column(Integer, { primaryKey: true, foreignKey: `${prefix}_tags.id` }),
    },
    { metadata: registry.metadata },
  )

  class AsUser extends model(
    `${prefix}_users`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(50)),
      age: column(Integer, { nullable: true }),
      posts: relationship<AsPost[]>("AsPost", { backPopulates: "author" }),
    },
    { registry },
  ) {}

  class AsPost extends model(
    `${prefix}_posts`,
    {
      id: column(Integer, { primaryKey: true }),
      title: column(String(100)),
      score: column(Integer, { nullable: true }),
      createdAt: column(DateTime, { nullable: true }),
      userId: column(Integer, { foreignKey: `${prefix}_users.id` }),
      author: relationship<AsUser>("AsUser", { backPopulates: "posts" }),
      tags: relationship<AsTag[]>("AsTag", { secondary: `${prefix}_post_tags` }),
    },
    { registry },
  ) {}

  class AsTag extends model(
    `${prefix}_tags`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(50)),
    },
    { registry },
  ) {}

  registry.registerModels(AsUser, AsPost, AsTag)
  return { registry, AsUser, AsPost, AsTag, asPostTags, seedObjects }

  /** Seeds: users 1..5 (age null for 3), posts 10..29 (two users' worth), tags 100..103. */
  function seedObjects() {
    const users = [1, 2, 3, 4, 5].map(
      (id) => new AsUser({ id, name: `u${id}`, age: id === 3 ? null : 20 + id }),
    )
    const tags = [100, 101, 102, 103].map((id) => new AsTag({ id, name: `t${id}` }))
    const posts: AsPost[] = []
    for (let i = 0; i < 20; i++) {
      const id = 10 + i
      const post = new AsPost({
        id,
        title: `p${id}`,
        score: i % 4 === 0 ? null : i,
        createdAt: new Date(Date.UTC(2024, 0, 1 + i)),
        userId: (i % 5) + 1,
      })
      post.tags = tags.filter((_, j) => (i + j) % 3 === 0)
      posts.push(post)
    }
    return { users, tags, posts }
  }
}
