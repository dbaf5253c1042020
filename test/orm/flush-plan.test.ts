// The flush planner without a database: ordering and statement sizes.
import { describe, expect, it } from "vitest"
import { column, Integer, model, Registry, String } from "../../src/index.ts"
import { collectChanges } from "../../src/orm/flush/collect.ts"
import { planFlush } from "../../src/orm/flush/plan.ts"
import { IdentityMap } from "../../src/orm/identity-map.ts"
import { type InstanceState, stateOf } from "../../src/orm/state.ts"

const registry = new Registry()
class Note extends model(
  "plan_notes",
  { id: column(Integer, { primaryKey: true }), text: column(String(10)) },
  { registry },
) {}

describe("flush planning", () => {
  it("splits an INSERT that would exceed the parameter limit into several statements", () => {
    const session = { id: 1 }
    const pending = new Set<InstanceState>()
    for (let i = 0; i < 25_000; i++) {
      const state = stateOf(new Note({ text: `n${i}` }))
      state.session = session
      pending.add(state)
    }
    const changes = collectChanges(session, pending, new IdentityMap(), new Set())
    const plan = planFlush(changes, changes.order)
    expect(plan.steps.map((step) => (step.kind === "insert" ? step.rows.length : 0))).toEqual([
      15_000, 10_000,
    ])
  })
})
