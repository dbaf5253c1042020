// `validates(Model, keys, (key, value, object) => value)` (src/orm/events.ts): the value is the
// attribute's type and so must the result be, since whatever a validator returns is stored (the value
// was typed `never` and the result `unknown`: a validator that forgot `return value` stored undefined).
import { afterEach, describe, expect, it } from "vitest"
import { validates } from "../../src/index.ts"
import { AtPost } from "./models.ts"

describe("validators and the column's type", () => {
  const offs: (() => void)[] = []
  afterEach(() => {
    for (const off of offs.splice(0)) off()
  })

  it("compiles the documented validator (key, value) => value.toLowerCase()", async () => {
    offs.push(validates(AtPost, ["title"], (_key, value) => value.toLowerCase()))
    expect(new AtPost({ title: "MiXeD" }).title).toBe("mixed")
  })

  it("refuses at compile time a validator whose result is not its attribute's type", () => {
    // Never run: a validator that forgets to return stored undefined in a string column, and one that
    // returns a string stored it in a number column. The checks are tsc's (npm run typecheck).
    const wrong = () => [
      // @ts-expect-error a validator of a string column must return a string
      validates(AtPost, ["title"], (_key, _value: string) => {}),
      // @ts-expect-error a validator of a number column must return a number
      validates(AtPost, ["likes"], (_key, value: number) => String(value)),
    ]
    expect(wrong).toBeTypeOf("function")
  })
})
