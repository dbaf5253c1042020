// Validators of relationships, as SQLAlchemy's @validates: a collection's validator sees each item it
// gains (push, splice, assignment), a scalar's its new value, and each side's validator runs when the
// other side of a back-populated link changes it. A validator that refuses leaves both sides as they were.
import { describe, expect, it } from "vitest"
import { column, Integer, model, Registry, relationship, String, validates } from "../../src/index.ts"

const registry = new Registry()

class Writer extends model(
  "v_writers",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(20)),
    drafts: relationship<Draft[]>("Draft", { backPopulates: "writer" }),
  },
  { registry },
) {}

class Draft extends model(
  "v_drafts",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(20)),
    writerId: column(Integer, { foreignKey: "v_writers.id" }),
    writer: relationship<Writer | null>("Writer", { backPopulates: "drafts" }),
  },
  { registry },
) {}

registry.registerModels(Writer, Draft)

const seen: string[] = []
validates(Writer, ["drafts"], (_key, draft: Draft) => {
  seen.push(`drafts gets ${draft.title}`)
  if (draft.title === "spam") throw new Error("no spam")
  return draft
})
validates(Draft, ["writer"], (_key, writer: Writer | null) => {
  seen.push(`writer is ${writer?.name ?? null}`)
  if (writer?.name === "banned") throw new Error("banned writer")
  return writer
})

describe("relationship validators", () => {
  it("see each item a collection gains, by push, splice or assignment, and its other side's", () => {
    const writer = new Writer({ name: "ada", drafts: [] })
    const [first, second, third] = ["one", "two", "three"].map((title) => new Draft({ title }))
    seen.length = 0
    writer.drafts.push(first as Draft)
    writer.drafts.splice(1, 0, second as Draft)
    writer.drafts = [first as Draft, second as Draft, third as Draft]
    expect(seen).toEqual([
      "drafts gets one",
      "writer is ada",
      "drafts gets two",
      "writer is ada",
      "drafts gets three",
      "writer is ada",
    ])
    expect(third?.writer).toBe(writer)
  })

  it("refuse an item without changing either side", () => {
    const writer = new Writer({ name: "ada", drafts: [] })
    const kept = new Draft({ title: "kept", writer })
    const spam = new Draft({ title: "spam" })
    expect(() => writer.drafts.push(new Draft({ title: "fine" }), spam)).toThrow("no spam")
    expect(() => (spam.writer = writer)).toThrow("no spam")
    expect(() => (writer.drafts = [kept, spam])).toThrow("no spam")
    expect([writer.drafts, spam.writer]).toEqual([[kept], null])
  })

  it("run on the other side of a back-populated link", () => {
    const banned = new Writer({ name: "banned", drafts: [] })
    const writer = new Writer({ name: "ada", drafts: [] })
    const draft = new Draft({ title: "mine", writer })
    expect(() => banned.drafts.push(draft)).toThrow("banned writer")
    expect(() => (draft.writer = banned)).toThrow("banned writer")
    expect([draft.writer, writer.drafts, banned.drafts]).toEqual([writer, [draft], []])
  })
})
