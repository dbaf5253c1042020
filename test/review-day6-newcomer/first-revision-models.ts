// The models of first-revision.test.ts, as a project's src/models.ts: one table, in a MetaData of its own.
import { column, Integer, MetaData, String, table } from "../../src/index.ts"

export const metadata = new MetaData()
export const notes = table(
  "nc6_notes",
  { id: column(Integer, { primaryKey: true }), title: column(String(50)) },
  { metadata },
)
