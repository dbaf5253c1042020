// Type-level: outer-join typing (checked by tsc: npx tsc --noEmit -p tsconfig.node.json).
import { describe, expectTypeOf, it } from "vitest"
import { aliased, select } from "../../src/index.ts"
import type { RowType } from "../../src/sql/statement.ts"
import { RvChild, RvParent } from "./models.ts"

describe("review outer-join types", () => {
  it("a self-join through an alias types only the joined alias as | null", () => {
    const other = aliased(RvParent)
    const statement = select(RvParent, other).outerJoin(other, RvParent.id.eq(other.id))
    // The FROM side is always there: only the outer-joined alias may be missing.
    expectTypeOf<RowType<typeof statement>[0]>().toEqualTypeOf<RvParent>()
  })

  it("a model whose instances look alike another's is not typed | null by an outer join onto that one", () => {
    const statement = select(RvChild, RvParent).outerJoin(RvParent, RvChild.parentId.eq(RvParent.id))
    expectTypeOf<RowType<typeof statement>[0]>().toEqualTypeOf<RvChild>()
  })
})
