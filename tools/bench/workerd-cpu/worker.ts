// The workerd side of ./index.ts: the contenders over recorded answers. `POST /tapes` hands it the
// endpoints and each contender's recorded answers; `GET /run?contender=NAME&times=N` runs a contender
// N times, its fetches answered from its recording in order; `GET /check?contender=NAME` runs it once
// and returns what it read.
import { type Contender, contenders, type Endpoints } from "./contenders.ts"

export interface Answer {
  readonly status: number
  readonly headers: readonly [string, string][]
  readonly body: string
}

export interface Tapes {
  readonly endpoints: Endpoints
  readonly answers: Record<string, readonly Answer[]>
}

let tapes: Tapes | undefined
let all: Record<string, Contender> | undefined
let playing: readonly Answer[] = []
let next = 0

// Every contender fetches through the global fetch (./contenders.ts): here it answers from a recording.
globalThis.fetch = async () => {
  const answer = playing[next % playing.length]
  next++
  if (!answer) throw new Error("no recorded answer to replay")
  return new Response(answer.body, { status: answer.status, headers: answer.headers as [string, string][] })
}

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname === "/tapes") {
      tapes = (await request.json()) as Tapes
      all = contenders(tapes.endpoints)
      return new Response("ok")
    }
    const name = url.searchParams.get("contender") ?? ""
    const contender = all?.[name]
    if (!tapes || !contender) return new Response(`no contender ${name}`, { status: 404 })
    playing = tapes.answers[name] ?? []
    next = 0
    if (url.pathname === "/check") return Response.json(await contender())
    const times = Number(url.searchParams.get("times") ?? 1)
    for (let i = 0; i < times; i++) await contender()
    return new Response("done")
  },
}
