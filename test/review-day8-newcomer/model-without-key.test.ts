// A model with no primary key column was accepted where it was declared: `new Note({ text })`, createAll
// and `migrate revision --autogenerate` all went on (the table was created, a revision written), and
// only the first query or flush said "Note has no primary key". SQLAlchemy refuses such a mapping where
// the class is declared ("could not assemble any primary key columns"). model() now refuses it there,
// naming the table and the fix; a key declared with the model's primaryKey option still counts.
import { expect, it } from "vitest"
import { column, Integer, model, Registry, String } from "../../src/index.ts"

it("is refused where it is declared, naming the fix", () => {
  const registry = new Registry()
  expect(() => model("r8nc_notes", { text: column(String(50)) }, { registry })).toThrow(
    'model("r8nc_notes") has no primary key; mark a column { primaryKey: true }',
  )
})

it("takes a key declared by column or by the model's primaryKey option", () => {
  const registry = new Registry()
  class ByColumn extends model(
    "r8nc_by_column",
    { id: column(Integer, { primaryKey: true }), text: column(String(50)) },
    { registry },
  ) {}
  class ByOption extends model(
    "r8nc_by_option",
    { a: column(Integer), b: column(Integer) },
    { registry, primaryKey: ["a", "b"] },
  ) {}
  expect(new ByColumn({ text: "x" }).text).toBe("x")
  expect(new ByOption({ a: 1, b: 2 }).b).toBe(2)
})
