// One Hrana pipeline over plain fetch, for tests that drive libsql-local's streams by hand: a baton
// names the stream (null: a new one), and `close` ends it with the request.
export interface PipelineAnswer {
  baton: string | null
  results: {
    type: string
    response?: { result: { cols: { name: string }[]; rows: { value: string }[][] } }
    error?: { message: string; code?: string }
  }[]
}

export async function pipeline(
  url: string,
  baton: string | null,
  sqls: readonly string[],
  close = false,
): Promise<PipelineAnswer> {
  const response = await fetch(`${url}/v3/pipeline`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      baton,
      requests: [
        ...sqls.map((sql) => ({ type: "execute", stmt: { sql } })),
        ...(close ? [{ type: "close" }] : []),
      ],
    }),
  })
  return (await response.json()) as PipelineAnswer
}
