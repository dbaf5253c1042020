// Rows that point at each other (a department and its head, who works in it) are inserted with one
// key unset and completed by a post-update, all in the same single request.

import { afterAll, beforeAll, describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  createAll,
  dropAll,
  Integer,
  model,
  Registry,
  relationship,
  String,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"

const registry = new Registry()

class Department extends model(
  "pu_departments",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    headId: column(Integer, { nullable: true, foreignKey: "pu_people.id" }),
    head: relationship<Person | null>("Person", { foreignKey: "headId", postUpdate: true }),
    staff: relationship<Person[]>("Person", { foreignKey: "departmentId", backPopulates: "department" }),
  },
  { registry },
) {}

class Person extends model(
  "pu_people",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    departmentId: column(Integer, { foreignKey: "pu_departments.id" }),
    department: relationship<Department>("Department", {
      foreignKey: "departmentId",
      backPopulates: "staff",
    }),
  },
  { registry },
) {}
registry.registerModels(Department, Person)

describe.each([neonFixture("http", ws), libsqlHttpFixture()])("post-update on $name", (fixture) => {
  const engine = fixture.engine(`pu-${fixture.name}-${Date.now()}`)
  beforeAll(async () => {
    const connection = engine.connect()
    await dropAll(registry.metadata, connection)
    await createAll(registry.metadata, connection)
    await connection.close()
  })
  afterAll(async () => {
    const connection = engine.connect()
    await dropAll(registry.metadata, connection).finally(() => connection.close())
  })

  it("inserts a cycle of new rows in one request", async () => {
    const scope = `pu-cycle-${fixture.name}-${Date.now()}`
    await using session = new AsyncSession(fixture.engine(scope))
    const department = new Department({ title: "Research" })
    const head = new Person({ name: "Ada", department })
    department.head = head
    session.add(department)
    const before = await fixture.stats(scope)
    await session.commit()
    const after = await fixture.stats(scope)
    expect((after?.httpRequests ?? 0) - (before?.httpRequests ?? 0)).toBe(1)
    expect(department.headId).toBe(head.id)
    expect(head.departmentId).toBe(department.id)
    await using reader = new AsyncSession(engine)
    const stored = await reader.get(Department, department.id)
    expect(stored?.headId).toBe(head.id)
  })
})
