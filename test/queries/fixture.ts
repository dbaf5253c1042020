// Seed data for the query attacks: 4 users, 7 posts, 3 tags.
import ws from "ws"
import { AsyncSession, deleteFrom, type Engine, insert } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { AqPost, AqTag, AqUser, aqPostTags } from "./models.ts"

export const fixtures: TransportFixture[] = [neonFixture("http", ws), libsqlHttpFixture()]

export async function seed(engine: Engine): Promise<void> {
  await using s = new AsyncSession(engine)
  await s.execute(deleteFrom(aqPostTags))
  await s.execute(deleteFrom(AqPost), { synchronizeSession: false })
  await s.execute(deleteFrom(AqTag), { synchronizeSession: false })
  await s.execute(deleteFrom(AqUser), { synchronizeSession: false })
  await s.execute(
    insert(AqUser).values([
      { id: 1, name: "ada", age: 36 },
      { id: 2, name: "bob", age: null },
      { id: 3, name: "cy", age: 20 },
      { id: 4, name: "dee", age: null },
    ]),
  )
  await s.execute(
    insert(AqPost).values([
      { id: 10, title: "a1", score: 5, userId: 1 },
      { id: 11, title: "a2", score: null, userId: 1 },
      { id: 12, title: "a3", score: 1, userId: 1 },
      { id: 20, title: "b1", score: 3, userId: 2 },
      { id: 21, title: "b2", score: 3, userId: 2 },
      { id: 30, title: "c1", score: null, userId: 3 },
      { id: 99, title: "orphan", score: 7, userId: null },
    ]),
  )
  await s.execute(
    insert(AqTag).values([
      { id: 1, name: "x" },
      { id: 2, name: "y" },
      { id: 3, name: "z" },
    ]),
  )
  await s.execute(
    insert(aqPostTags).values([
      { postId: 10, tagId: 1 },
      { postId: 10, tagId: 2 },
      { postId: 11, tagId: 1 },
      { postId: 20, tagId: 3 },
    ]),
  )
  await s.commit()
}
