// The latency benchmark's script and runner: a round is the blog's operations in order (a user signs up,
// a post is created, read, listed, edited, edited again with a stale version, deleted; the stats), each
// operation run by every contender in turn, the first contender alternating round by round. Each
// contender has a database of its own, seeded alike, so contenders doing the same operations in the
// same order give the same answers: every answer is compared with the other contender's, every round.
import { BenchmarkError } from "../support/benchmark-error.ts"
import { quantile } from "../support/stats.ts"
import { type Answer, type BlogOperations, comparable } from "./blog-operations.ts"
import { AUTHOR, POST_WITH_COMMENTS } from "./blog-seed.ts"

export interface BlogContender {
  readonly name: string
  /** The `/s/<scope>/` prefix of its traffic, which the proxy and the stand-ins count under. */
  readonly scope: string
  readonly operations: BlogOperations
  /** Process-wide driver settings put in place around each of its operations (outside the timing). */
  readonly enter?: () => void
  readonly leave?: () => void
}

/** What one round trip counter and one statement counter say for a scope. */
export interface Counters {
  requests(scope: string): Promise<number>
  statements(scope: string): Promise<number>
}

interface RoundState {
  postId: number
}

interface Step {
  readonly name: string
  readonly status: number
  readonly run: (operations: BlogOperations, state: RoundState, round: number) => Promise<Answer>
}

const CONTENT = "A post written by the latency benchmark. ".repeat(8)

export const STEPS: readonly Step[] = [
  {
    name: "create a user",
    status: 201,
    run: (ops, _state, round) =>
      ops.createUser({
        username: `bench_${round}`,
        email: `bench_${round}@example.com`,
        passwordHash: "pbkdf2-sha256$100000$bench$bench",
        bio: null,
      }),
  },
  {
    name: "create a post with 3 tags (2 known, 1 new)",
    status: 201,
    run: async (ops, state, round) => {
      const answer = await ops.createPost(AUTHOR, {
        title: `Round ${round}`,
        content: CONTENT,
        published: true,
        tags: ["orm", "Edge", `new-${round}`],
      })
      state.postId = (answer.body as { id: number }).id
      return answer
    },
  },
  {
    name: "get a post with author, tags, comments and their authors",
    status: 200,
    run: (ops) => ops.getPost(POST_WITH_COMMENTS, undefined),
  },
  {
    name: "list posts (page of 10, authors, tags, comment counts, total)",
    status: 200,
    run: (ops) => ops.listPosts({ page: 1, pageSize: 10 }),
  },
  {
    name: "update a post: title and tags, version checked",
    status: 200,
    run: (ops, state, round) =>
      ops.updatePost(AUTHOR, state.postId, {
        title: `Round ${round}, edited`,
        tags: ["orm", "sql", `newer-${round}`],
        version: 1,
      }),
  },
  {
    name: "update with a stale version (409)",
    status: 409,
    run: (ops, state) => ops.updatePost(AUTHOR, state.postId, { title: "Stale", tags: ["orm"], version: 1 }),
  },
  {
    name: "delete a post",
    status: 204,
    run: (ops, state) => ops.deletePost(AUTHOR, state.postId),
  },
  { name: "stats", status: 200, run: (ops) => ops.stats() },
]

export interface ContenderRow {
  readonly name: string
  /** Requests the proxy forwarded for one operation (the same every round, or the run stops). */
  readonly requests: number
  /** Statements the endpoint ran for one operation (libSQL's include BEGIN and COMMIT). */
  readonly statements: number
  readonly p50: number
  readonly p90: number
}

export interface OperationRow {
  readonly operation: string
  readonly contenders: readonly ContenderRow[]
  /** The first contender's p50 over the second's. */
  readonly ratio: number
}

export interface RunOptions {
  readonly rounds: number
  readonly warmupRounds: number
}

/** Runs the script; throws when an answer differs between contenders or has the wrong status. */
export async function runScript(
  contenders: readonly BlogContender[],
  counters: Counters,
  { rounds, warmupRounds }: RunOptions,
): Promise<OperationRow[]> {
  const since = new Date().toISOString()
  const states = contenders.map((): RoundState => ({ postId: 0 }))
  const samples = STEPS.map(() =>
    contenders.map(() => ({
      times: [] as number[],
      requests: new Set<number>(),
      statements: new Set<number>(),
    })),
  )
  for (let round = 0; round < warmupRounds + rounds; round++) {
    for (const [s, step] of STEPS.entries()) {
      const order = contenders.map((_, i) => i)
      if (round % 2 === 1) order.reverse()
      const answers: string[] = []
      for (const i of order) {
        const contender = contenders[i] as BlogContender
        const before = await Promise.all([
          counters.requests(contender.scope),
          counters.statements(contender.scope),
        ])
        contender.enter?.()
        let answer: Answer
        let elapsed: number
        try {
          const started = performance.now()
          answer = await step.run(contender.operations, states[i] as RoundState, round)
          elapsed = performance.now() - started
        } finally {
          contender.leave?.()
        }
        const after = await Promise.all([
          counters.requests(contender.scope),
          counters.statements(contender.scope),
        ])
        if (answer.status !== step.status) {
          throw new BenchmarkError(
            `${contender.name}, "${step.name}": answered ${answer.status}, not ${step.status}: ${JSON.stringify(answer.body)}`,
          )
        }
        answers[i] = comparable(answer, since)
        const sample = samples[s]?.[i]
        if (!sample) continue
        sample.requests.add(after[0] - before[0])
        sample.statements.add(after[1] - before[1])
        if (round >= warmupRounds) sample.times.push(elapsed)
      }
      for (const [i, answer] of answers.entries()) {
        if (answer === answers[0]) continue
        let at = 0
        while (answer[at] === answers[0]?.[at]) at++
        throw new BenchmarkError(
          `"${step.name}", round ${round}: ${contenders[i]?.name} and ${contenders[0]?.name} answer differently at character ${at}:\n` +
            `  ${contenders[0]?.name}: ...${answers[0]?.slice(Math.max(0, at - 100), at + 100)}\n` +
            `  ${contenders[i]?.name}: ...${answer.slice(Math.max(0, at - 100), at + 100)}`,
        )
      }
    }
  }
  return STEPS.map((step, s) => {
    const rows = contenders.map((contender, i) => {
      const sample = samples[s]?.[i] as (typeof samples)[number][number]
      if (sample.requests.size !== 1 || sample.statements.size !== 1) {
        throw new BenchmarkError(
          `${contender.name}, "${step.name}": requests per operation varied between rounds ` +
            `(${[...sample.requests].join(", ")}; statements ${[...sample.statements].join(", ")})`,
        )
      }
      return {
        name: contender.name,
        requests: [...sample.requests][0] as number,
        statements: [...sample.statements][0] as number,
        p50: quantile(sample.times, 0.5),
        p90: quantile(sample.times, 0.9),
      }
    })
    return { operation: step.name, contenders: rows, ratio: (rows[0]?.p50 ?? 0) / (rows[1]?.p50 ?? 1) }
  })
}

export function printRows(title: string, rows: readonly OperationRow[], notes: readonly string[]): void {
  const names = rows[0]?.contenders.map((c) => c.name) ?? []
  const width = 62
  console.log(`\n${title}`)
  console.log(`${"".padEnd(width)}${names.map((name) => name.padEnd(32)).join("")}${names.join("/")} p50`)
  console.log(`${"operation".padEnd(width)}${names.map(() => "req  stmts    p50 ms    p90 ms    ").join("")}`)
  for (const row of rows) {
    const cells = row.contenders.map(
      (c) =>
        `${String(c.requests).padStart(3)}  ${String(c.statements).padStart(5)}  ${c.p50.toFixed(1).padStart(8)}  ${c.p90.toFixed(1).padStart(8)}    `,
    )
    console.log(`${row.operation.padEnd(width)}${cells.join("")}${row.ratio.toFixed(2)}x`)
  }
  for (const note of notes) console.log(note)
}
