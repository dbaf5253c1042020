// A model's fields and options as JavaScript, JSON or a cast may give them. A field that is neither
// column() nor relationship() (`title: String(200)`, column() forgotten) was dropped from the table and
// left a plain property no flush writes; an option model() does not know (SQLAlchemy's version_id) was
// ignored, and with it the version checks asked for. Both are refused where the model is defined.
import { describe, expect, it } from "vitest"
import { column, Integer, InvalidRequestError, model, Registry, String } from "../../src/index.ts"

describe("model()", () => {
  it("refuses a field that is neither column() nor relationship()", () => {
    const define = () =>
      model("md_notes", { id: column(Integer, { primaryKey: true }), title: String(200) } as never, {
        registry: new Registry(),
      })
    expect(define).toThrow(InvalidRequestError)
    expect(define).toThrow('model("md_notes").title is neither column(...) nor relationship(...)')
  })

  it("refuses an option it does not know", () => {
    const define = () =>
      model("md_versioned", { id: column(Integer, { primaryKey: true }), v: column(Integer) }, {
        registry: new Registry(),
        version_id: "v",
      } as never)
    expect(define).toThrow('model("md_versioned"): unknown option version_id')
  })

  it("takes every option it documents", () => {
    const registry = new Registry()
    const Note = model(
      "md_all",
      { id: column(Integer, { primaryKey: true }), v: column(Integer) },
      { registry, primaryKey: ["id"], constraints: [], indexes: [], versionId: "v" },
    )
    expect(Note.c.v.name).toBe("v")
  })
})
