// Drizzle's neon-http driver sets the Neon driver's process-wide pg-types parsers for timestamps, dates
// and intervals to return the raw text when it is constructed. Left in place, that would change what
// the other contenders get from the same driver (strings, parsed again later), so the benchmarks run
// each contender with the parsers it was written for: Drizzle's only while Drizzle runs.
import { types as pgTypes } from "@neondatabase/serverless"

const DRIZZLE_TYPE_IDS = [1184, 1114, 1082, 1186, 1231, 1115, 1185, 1187, 1182]

type Parser = (value: string) => unknown

/** Constructs a Drizzle database; `enter` puts Drizzle's parsers in place, `leave` the driver's own. */
export function withOwnParsers<T>(construct: () => T): { value: T; enter: () => void; leave: () => void } {
  const read = () => DRIZZLE_TYPE_IDS.map((id) => pgTypes.getTypeParser(id, "text") as Parser)
  const write = (parsers: Parser[]) =>
    DRIZZLE_TYPE_IDS.forEach((id, i) => {
      pgTypes.setTypeParser(id, parsers[i] as Parser)
    })
  const original = read()
  const value = construct()
  const drizzles = read()
  write(original)
  return { value, enter: () => write(drizzles), leave: () => write(original) }
}
