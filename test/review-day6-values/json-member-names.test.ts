// A JSON document may have any member names, "toString" and "valueOf" among them (a form field, a
// dictionary of words). Keeping held objects in step with a bulk UPDATE or an upsert compared each
// column's old and new value as identities compare keys, through a template string, which throws for an
// object whose toString is not a function: the statement ran (committed, outside a transaction), then
// the session failed with "TypeError: Cannot convert object to primitive value", its held object left
// with the old document. Documents are now compared as the flush compares them (by their JSON), and only
// plain values as keys are.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  insert,
  Json,
  model,
  Registry,
  relationship,
  select,
  update,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"

const registry = new Registry()
class Form extends model(
  "d6v_forms",
  {
    id: column(Integer, { primaryKey: true }),
    answers: relationship<Answer[]>("Answer", { backPopulates: "form" }),
  },
  { registry },
) {}
class Answer extends model(
  "d6v_answers",
  {
    id: column(Integer, { primaryKey: true }),
    formId: column(Integer, { foreignKey: "d6v_forms.id" }),
    form: relationship<Form>("Form", { backPopulates: "answers" }),
    fields: column(Json<Record<string, unknown>>()),
  },
  { registry },
) {}
registry.registerModels(Form, Answer)

/** A submitted form whose fields are named like Object.prototype's methods. */
const submitted = () => JSON.parse('{"toString": "yes", "valueOf": null, "constructor": {"x": 1}}')
const fields = { toString: "yes", valueOf: null, constructor: { x: 1 } }

const fixtures = [
  neonFixture("http", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("d6v-members"), "members.db")),
]
for (const fixture of fixtures) {
  describe(`JSON documents with members named toString on ${fixture.name}`, () => {
    const engine = fixture.engine(`d6v-members-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    let nextId = 1

    /** A held answer (in a held form) whose document is `{ first: 1 }`. */
    async function held(session: AsyncSession): Promise<Answer> {
      const id = nextId++
      const answer = new Answer({ id, form: new Form({ id }), fields: { first: 1 } })
      session.add(answer)
      await session.commit()
      return answer
    }

    async function stored(id: number): Promise<unknown> {
      await using session = new AsyncSession(engine)
      return (await session.execute(select(Answer.fields).where(Answer.id.eq(id)))).scalar()
    }

    const writes: Record<string, (session: AsyncSession, id: number) => Promise<unknown>> = {
      "update().returning()": (session, id) =>
        session.scalars(
          update(Answer).where(Answer.id.eq(id)).values({ fields: submitted() }).returning(Answer),
        ),
      'update() with synchronizeSession "fetch"': (session, id) =>
        session.execute(update(Answer).where(Answer.id.eq(id)).values({ fields: submitted() }), {
          synchronizeSession: "fetch",
        }),
      "an upsert's returning()": (session, id) =>
        session.scalars(
          insert(Answer)
            .values([{ id, formId: id, fields: { other: true } }])
            .onConflictDoUpdate({ target: ["id"], set: { fields: submitted() } })
            .returning(Answer),
        ),
    }
    for (const [path, write] of Object.entries(writes)) {
      it(`${path}: the held object takes the new document`, async () => {
        await using session = new AsyncSession(engine)
        const answer = await held(session)
        await write(session, answer.id)
        expect(answer.fields).toEqual(fields)
        expect(session.isModified(answer)).toBe(false)
        expect(await stored(answer.id)).toEqual(fields)
      })
    }

    it("and back: a document with such members replaced by a plain one", async () => {
      await using session = new AsyncSession(engine)
      const answer = await held(session)
      answer.fields = submitted()
      await session.commit()
      await session.scalars(
        update(Answer)
          .where(Answer.id.eq(answer.id))
          .values({ fields: { plain: 1 } })
          .returning(Answer),
      )
      expect(answer.fields).toEqual({ plain: 1 })
      expect(await stored(answer.id)).toEqual({ plain: 1 })
    })
  })
}
