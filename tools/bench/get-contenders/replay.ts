// The contenders over their recorded answers, in the runtime that runs them (workerd: ./worker.ts):
// the global fetch answers from the recording of the contender that runs, in order, with no I/O.
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

/** The contenders of `tapes`, each run by `play(name)` over its own recording; installs the global fetch. */
export function replaying(tapes: Tapes): { play(name: string): Contender | undefined } {
  let playing: readonly Answer[] = []
  let next = 0
  globalThis.fetch = async () => {
    const answer = playing[next % playing.length]
    next++
    if (!answer) throw new Error("no recorded answer to replay")
    return new Response(answer.body, { status: answer.status, headers: answer.headers as [string, string][] })
  }
  const all = contenders(tapes.endpoints)
  return {
    play(name) {
      const contender = all[name]
      if (!contender) return undefined
      playing = tapes.answers[name] ?? []
      next = 0
      return contender
    },
  }
}
