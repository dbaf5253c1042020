// The three requests the outcome tests send, each after `arm()` sets the fault its answer meets: the
// atomic request of a commit, an autocommitted write, and a read. Each one's failure is named by what it
// tells the application: "unknown" (UnknownOutcomeError), "connection" (ConnectionError: nothing was
// applied), "ok", or any other error's name and message.
import { ConnectionError, type Engine, text, UnknownOutcomeError } from "../../src/index.ts"

export function kindOf(error: unknown): string {
  if (error === "ok") return "ok"
  if (error instanceof UnknownOutcomeError) return "unknown"
  if (error instanceof ConnectionError) return "connection"
  return `${(error as Error)?.name}: ${(error as Error)?.message}`
}

/** Outcomes of a commit writing 1 and 2, an autocommitted write of 3, and a read of `table`'s x. */
export async function commitWriteRead(engine: Engine, table: string, arm: () => void): Promise<string[]> {
  const outcomes: string[] = []
  for (const send of [
    async () => {
      await using connection = engine.connect()
      return connection.batch([
        text(`INSERT INTO ${table} VALUES (1)`),
        text(`INSERT INTO ${table} VALUES (2)`),
      ])
    },
    () => engine.execute(text(`INSERT INTO ${table} VALUES (3)`)),
    () => engine.execute(text(`SELECT x FROM ${table}`)),
  ]) {
    arm()
    outcomes.push(
      kindOf(
        await send().then(
          () => "ok",
          (error: unknown) => error,
        ),
      ),
    )
  }
  return outcomes
}
