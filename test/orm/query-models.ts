// Models of the query suite: hybrids, a relationship loaded by default, and one left unloaded.
import { column, func, hybrid, Integer, model, or, Registry, relationship, String } from "../../src/index.ts"

export const registry = new Registry()

export class Member extends model(
  "q_members",
  {
    id: column(Integer, { primaryKey: true }),
    firstName: column(String(50)),
    lastName: column(String(50)),
    balance: column(Integer),
    credit: column(Integer, { default: 0 }),
    nickname: column(String(50), { nullable: true }),
    orders: relationship<Order[]>("Order", { backPopulates: "member", lazy: "selectin" }),
  },
  {
    registry,
    hybrids: hybrid((c) => ({
      fullName: c.firstName.concat(" ").concat(c.lastName),
      available: c.balance.add(c.credit),
      overdrawn: c.balance.add(c.credit).lt(0),
      idle: or(c.balance.eq(0), c.credit.eq(0)),
    })),
  },
) {}

export class Order extends model(
  "q_orders",
  {
    id: column(Integer, { primaryKey: true }),
    total: column(Integer),
    memberId: column(Integer, {
      nullable: true,
      foreignKey: { references: "q_members.id", onDelete: "CASCADE" },
    }),
    member: relationship<Member | null>("Member", { backPopulates: "orders", lazy: "joined" }),
  },
  { registry },
) {}

/** Hybrids SQL can compute but memory cannot (substr): one overridden by a getter, one not. */
export class Badge extends model(
  "q_badges",
  { id: column(Integer, { primaryKey: true }), label: column(String(20)) },
  {
    registry,
    hybrids: hybrid((c) => ({
      shout: func.upper(c.label),
      initial: func.substr(c.label, 1, 1),
      tail: func.substr(c.label, 2),
    })),
  },
) {
  override get initial(): string {
    return this.label.slice(0, 1)
  }
}

registry.registerModels(Member, Order, Badge)
