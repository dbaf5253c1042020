// A plain object (what a request body holds) or a model class given to a session method was refused as
// "This Object is not an instance of a mapped model" ("This Function ..." for a class): it named neither
// the method nor what to give it. add(), addAll(), addUnique(), delete(), merge(), refresh(), expunge()
// and isModified() of an AsyncSession now say which method, that it takes a model's object, and what it
// was given; nothing is sent and the session goes on.
import { expect, it } from "vitest"
import { AsyncSession, column, Integer, model, Registry, String } from "../../src/index.ts"
import { libsqlHttpFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Member extends model(
  "r8nc_members",
  { id: column(Integer, { primaryKey: true }), name: column(String(50)) },
  { registry },
) {}

const fixture = libsqlHttpFixture()
const scope = `r8nc-plain-${Date.now().toString(36)}`
const engine = fixture.engine(scope)
freshSchema(engine, registry.metadata)

const loose = <T>(value: unknown) => value as T
const takes = (method: string, what: string) =>
  `session.${method}() takes a model's object (new Model({ ... })), not ${what}`

it("names the method, what it takes and what it was given, and sends nothing", async () => {
  await using session = new AsyncSession(engine)
  const body = { name: "ada" }
  const before = (await fixture.stats(scope))?.httpRequests ?? 0
  expect(() => session.add(body)).toThrow(takes("add", "a plain object"))
  expect(() => session.add(Member)).toThrow(takes("add", "the class Member"))
  expect(() => session.addAll([new Member({ name: "bob" }), body])).toThrow(takes("addAll", "a plain object"))
  expect(() => session.addUnique(body, ["name"])).toThrow(takes("addUnique", "a plain object"))
  expect(() => session.delete(body)).toThrow(takes("delete", "a plain object"))
  expect(() => session.expunge(body)).toThrow(takes("expunge", "a plain object"))
  expect(() => session.isModified(body)).toThrow(takes("isModified", "a plain object"))
  await expect(session.merge(body)).rejects.toThrow(takes("merge", "a plain object"))
  await expect(session.refresh(loose<object>(body))).rejects.toThrow(takes("refresh", "a plain object"))
  expect((await fixture.stats(scope))?.httpRequests ?? 0).toBe(before)
  // addAll refused the whole list; the session goes on with what is given right.
  session.add(new Member({ name: "ada" }))
  await session.commit()
  expect((await fixture.stats(scope))?.httpRequests ?? 0).toBe(before + 1)
})
