// What orderBy refuses, and when: anything but expressions and orderings where the relationship is
// declared (or, from a function, where it is first used), and anything but a column of the target's own
// table where it is first used, each naming the relationship and what to write instead.
import { describe, expect, it } from "vitest"
import {
  aliased,
  column,
  func,
  Integer,
  InvalidRequestError,
  model,
  Registry,
  relationship,
  String,
} from "../../src/index.ts"

/** Models whose Owner.items is ordered by what `orderBy` gives, its first use the returned function. */
function ownerWith(name: string, orderBy: () => unknown) {
  const registry = new Registry()
  class Owner extends model(
    `r9ord_bad_${name}_owners`,
    {
      id: column(Integer, { primaryKey: true }),
      items: relationship<Item[]>("Item", { orderBy: () => orderBy() as never }),
    },
    { registry },
  ) {}
  class Item extends model(
    `r9ord_bad_${name}_items`,
    {
      id: column(Integer, { primaryKey: true }),
      label: column(String(40)),
      ownerId: column(Integer, { foreignKey: `r9ord_bad_${name}_owners.id` }),
    },
    { registry },
  ) {}
  class Other extends model(
    `r9ord_bad_${name}_others`,
    { id: column(Integer, { primaryKey: true }) },
    { registry },
  ) {}
  registry.registerModels(Owner, Item, Other)
  return { Owner, Item, Other, firstUse: () => Owner.items.any() }
}

function refusal(run: () => unknown): Error {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError)
    return error as Error
  }
  throw new Error("not refused")
}

describe("a relationship's orderBy refuses", () => {
  it("a column's name as text, where it is declared", () => {
    const error = refusal(() => relationship("Item", { orderBy: "label" as never }))
    expect(error.message).toBe(
      'relationship("Item"): orderBy is the target\'s columns, each alone or with .asc()/.desc() (or a function returning them, for a model declared later), got the string "label" (name the column itself: Post.createdAt, not "createdAt"; one named like a class\'s own property is Post.c.name)',
    )
  })

  it("a list holding something else than expressions, where it is declared", () => {
    const error = refusal(() => relationship("Item", { orderBy: [5] as never }))
    expect(error.message).toContain('relationship("Item"): orderBy is the target\'s columns')
    expect(error.message).toContain("got the number 5")
  })

  it("what a function returns, when the relationship is first used", () => {
    const models = ownerWith("fn", () => [{ label: "desc" }])
    const error = refusal(models.firstUse)
    expect(error.message).toContain("Owner.items: orderBy is the target's columns")
    expect(error.message).toContain("got a plain object")
  })

  it("a column of another table, when the relationship is first used", () => {
    const models = ownerWith("other", () => [models.Other.id.desc()])
    const error = refusal(models.firstUse)
    expect(error.message).toBe(
      'Owner.items: orderBy names r9ord_bad_other_others.id, a column of "r9ord_bad_other_others", but a collection of Item orders by columns of "r9ord_bad_other_items" only: ' +
        "name them as Item.<column> (Item.id.desc()), and order by anything else in a query of their own",
    )
  })

  it("an aliased target's column and a computed expression", () => {
    const alias = ownerWith("alias", () => aliased(alias.Item, "i").label)
    expect(refusal(alias.firstUse).message).toContain('Owner.items: orderBy names i.label, a column of "i"')
    const computed = ownerWith("computed", () => [computed.Item.id, func.lower(computed.Item.label)])
    expect(refusal(computed.firstUse).message).toContain(
      "Owner.items: orderBy names an expression (function), not a column",
    )
  })
})
