// Models of the day-7 hang review: each test file makes its own tables (`${prefix}_notes`), as files run
// at once against one database.
import { column, Integer, model, Registry, String } from "../../src/index.ts"

export function hangModels(prefix: string) {
  const registry = new Registry()
  const tableName = `${prefix}_notes`
  class Note extends model(
    tableName,
    {
      id: column(Integer, { primaryKey: true }),
      body: column(String(100)),
    },
    { registry },
  ) {}
  return { Note, registry, tableName }
}
