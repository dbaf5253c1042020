// Deleting a tree node whose children are not loaded deletes its subtree with one recursive statement
// (70b33ee), and since de6e50c the levels below (a node's products) are found through the same
// recursive subtree. The recursion was UNION ALL: rows whose parent links form a cycle (A's parent is
// B, B's parent is A: a bug of the application's, or data another program wrote) made it endless, and
// the commit's request ran until it timed out, the database working on it the while (SQLite's thread,
// PostgreSQL's backend). UNION stops at rows already found: the commit now fails at once (the cycle
// takes the parent itself, so its own DELETE finds no row: a StaleDataError), nothing deleted; a
// tree without a cycle is deleted as before.
import { describe, expect, inject, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  createEngine,
  Integer,
  model,
  Registry,
  relationship,
  StaleDataError,
  String,
  select,
  text,
} from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Node extends model(
  "rb4_cyc_nodes",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    parentId: column(Integer, { nullable: true, foreignKey: "rb4_cyc_nodes.id" }),
    parent: relationship<Node | null>("Node", { uselist: false, backPopulates: "children" }),
    children: relationship<Node[]>("Node", {
      uselist: true,
      backPopulates: "parent",
      cascade: ["save-update", "delete"],
    }),
    items: relationship<Item[]>("Item", { backPopulates: "node", cascade: ["save-update", "delete"] }),
  },
  { registry },
) {}
class Item extends model(
  "rb4_cyc_items",
  {
    id: column(Integer, { primaryKey: true }),
    nodeId: column(Integer, { foreignKey: "rb4_cyc_nodes.id" }),
    node: relationship<Node>("Node", { backPopulates: "items" }),
  },
  { registry },
) {}
registry.registerModels(Node, Item)

// A request that does not answer within this fails: the old recursion never ends.
const TIMEOUT_MS = 4000

const engines = [
  [
    "neon-http",
    () =>
      neonFixture("http", ws).engine(`rb4-cyc-${Date.now().toString(36)}`, {
        neon: { requestTimeoutMs: TIMEOUT_MS },
      }),
  ],
  [
    "libsql-http",
    () => {
      const endpoint = inject("libsql")
      return createEngine(`${endpoint.url}/s/rb4-cyc-${Date.now().toString(36)}/`, {
        driver: libsql({ authToken: endpoint.authToken, requestTimeoutMs: TIMEOUT_MS }),
      })
    },
  ],
] as const

for (const [name, make] of engines) {
  describe(`deleting a node of a tree whose parent links form a cycle, on ${name}`, () => {
    const engine = make()
    freshSchema(engine, registry.metadata)
    const names = async () => {
      await using reader = new AsyncSession(engine)
      return (await reader.scalars(select(Node.c.name))).all().sort()
    }

    it("fails the commit at once, nothing deleted, and a tree without a cycle still goes whole", async () => {
      {
        await using session = new AsyncSession(engine)
        const a = new Node({ name: "a" })
        const b = new Node({ name: "b", parent: a } as never)
        session.add(new Item({ node: b } as never))
        session.add(b)
        await session.commit()
        // The cycle: a's parent is b, whose parent is a.
        await session.execute(text(`UPDATE rb4_cyc_nodes SET "parentId" = ${b.id} WHERE id = ${a.id}`))
        await session.commit()
      }
      {
        await using session = new AsyncSession(engine)
        const [a] = (await session.scalars(select(Node).where(Node.c.name.eq("a")))).all()
        await session.delete(a as Node)
        const failure = await session.commit().then(
          () => undefined,
          (error: unknown) => error,
        )
        expect(failure).toBeInstanceOf(StaleDataError)
      }
      expect(await names()).toEqual(["a", "b"])

      // Without the cycle: a root, a child, a grandchild with an item; the root's delete takes them all.
      {
        await using session = new AsyncSession(engine)
        await session.execute(text("DELETE FROM rb4_cyc_items"))
        await session.execute(text('UPDATE rb4_cyc_nodes SET "parentId" = NULL'))
        await session.execute(text("DELETE FROM rb4_cyc_nodes"))
        const root = new Node({ name: "root" })
        const child = new Node({ name: "child", parent: root } as never)
        const grandchild = new Node({ name: "grandchild", parent: child } as never)
        session.add(new Item({ node: grandchild } as never))
        session.add(root)
        await session.commit()
      }
      {
        await using session = new AsyncSession(engine)
        const [root] = (await session.scalars(select(Node).where(Node.c.name.eq("root")))).all()
        await session.delete(root as Node)
        await session.commit()
      }
      expect(await names()).toEqual([])
    })
  })
}
