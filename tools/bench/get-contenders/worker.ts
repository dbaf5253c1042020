// The workerd side of ../workerd-cpu.ts: the contenders over recorded answers (./replay.ts). `POST
// /tapes` hands it the endpoints and each contender's recorded answers; `GET /run?contender=NAME&times=N`
// runs a contender N times; `GET /check?contender=NAME` runs it once and returns what it read.
import { replaying, type Tapes } from "./replay.ts"

let replay: ReturnType<typeof replaying> | undefined

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname === "/tapes") {
      replay = replaying((await request.json()) as Tapes)
      return new Response("ok")
    }
    const name = url.searchParams.get("contender") ?? ""
    const contender = replay?.play(name)
    if (!contender) return new Response(`no contender ${name}`, { status: 404 })
    if (url.pathname === "/check") return Response.json(await contender())
    const times = Number(url.searchParams.get("times") ?? 1)
    for (let i = 0; i < times; i++) await contender()
    return new Response("done")
  },
}
