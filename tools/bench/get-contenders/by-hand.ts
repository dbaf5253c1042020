// The get by id written by hand against each wire protocol: one fetch, its JSON read, no driver. Not a
// way to use either database (no errors, no types but these columns', no URL handling): the floor of
// what a get costs in CPU, which shows how much of the raw drivers' cost is the drivers' own. Measured
// in ../get-anatomy.ts: the Neon driver spends most of it resolving its connection string anew on every
// query, the libSQL client building a stream, a queue and an SQL cache per request.
import { types } from "@neondatabase/serverless"
import { GET_ID, type PlainPost, plainPost } from "./contenders.ts"

const SQL = "SELECT id, title, content, published, user_id, created_at FROM gl_posts WHERE id = "

/** Neon's SQL over HTTP (shared/FACTS.md), its values read by the driver's own parsers. */
export async function neonByHand(endpoint: string, connectionString: string): Promise<PlainPost> {
  const response = await fetch(endpoint, {
    method: "POST",
    body: JSON.stringify({ query: `${SQL}$1`, params: [String(GET_ID)] }),
    headers: {
      "Neon-Connection-String": connectionString,
      "Neon-Raw-Text-Output": "true",
      "Neon-Array-Mode": "true",
    },
  })
  const answer = (await response.json()) as { fields: { dataTypeID: number }[]; rows: string[][] }
  const parsers = answer.fields.map((field) => types.getTypeParser(field.dataTypeID))
  const [id, title, content, published, userId, createdAt] = (answer.rows[0] as string[]).map((text, i) =>
    (parsers[i] as (text: string) => unknown)(text),
  )
  return plainPost({ id, title, content, published, userId, createdAt } as PlainPost)
}

/** A Hrana 2 pipeline: the statement and the stream's close in one request. */
export async function libsqlByHand(pipelineUrl: string): Promise<PlainPost> {
  const stmt = { sql: `${SQL}?`, args: [{ type: "integer", value: String(GET_ID) }], want_rows: true }
  const response = await fetch(pipelineUrl, {
    method: "POST",
    body: JSON.stringify({ requests: [{ type: "execute", stmt }, { type: "close" }] }),
    headers: { "content-type": "application/json" },
  })
  const answer = (await response.json()) as {
    results: [{ response: { result: { rows: { value: string | number }[][] } } }]
  }
  const [row] = answer.results[0].response.result.rows
  const [id, title, content, published, userId, createdAt] = (row as { value: string | number }[]).map(
    (cell) => cell.value,
  )
  return plainPost({
    id: Number(id),
    title: title as string,
    content: content as string,
    published: Number(published) === 1,
    userId: Number(userId),
    createdAt: new Date(`${String(createdAt).replace(" ", "T")}Z`),
  })
}
