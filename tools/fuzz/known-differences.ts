// The triage of the databases' own disagreements (never memory's: a value memory computes must be the
// database's, unless PostgreSQL cannot run the statement at all): each rule names a difference the README documents (or, for bare parameters, one that
// only a generated expression writes), and recognises it from the minimised repro.
import type { Finding } from "./differential.ts"
import type { Spec } from "./expression-specs.ts"
import type { Outcome } from "./outcomes.ts"

interface Rule {
  readonly reason: string
  /** Whether it also explains memory answering where PostgreSQL cannot run the statement at all. */
  readonly unrunnable?: boolean
  applies(pg: Outcome, lite: Outcome, spec: Spec): boolean
}

const code = (outcome: Outcome) => (outcome.kind === "error" ? (outcome.code ?? "") : "")
const message = (outcome: Outcome) => (outcome.kind === "value" ? "" : outcome.message)
const isValue = (outcome: Outcome) => outcome.kind === "value"

const RULES: readonly Rule[] = [
  {
    reason:
      "an operator or function of bare parameters alone: PostgreSQL cannot type them (fuzzer artefact; cast one)",
    unrunnable: true,
    applies: (pg) =>
      ["42725", "42P18", "42P08"].includes(code(pg)) ||
      (["42883", "42804"].includes(code(pg)) && /unknown|text|jsonb/.test(message(pg))),
  },
  {
    reason: "division by zero: an error on PostgreSQL, NULL on SQLite (README)",
    applies: (pg, lite) => code(pg) === "22012" && lite.kind === "value" && lite.value === null,
  },
  {
    reason: "% of a double: PostgreSQL has none, SQLite takes both sides as integers (README)",
    applies: (pg) => code(pg) === "42883" && message(pg).includes("%"),
  },
  {
    reason:
      "a result beyond its integer type: an error on PostgreSQL, 64 bits or a double on SQLite (README)",
    applies: (pg, lite) => code(pg) === "22003" || message(lite).includes("integer overflow"),
  },
  {
    reason: "a CAST PostgreSQL refuses that SQLite converts by affinity (README)",
    // A CAST of a constant is refused while planning, even where COALESCE would not reach it.
    unrunnable: true,
    applies: (pg, _, spec) =>
      has(spec, (s) => s.op === "cast") && /^(42846|22P02|22007|22008)$/.test(code(pg)),
  },
  {
    reason:
      "a CAST the databases convert differently: a double, boolean or timestamp to text, a length or scale, a fraction to an integer (README)",
    // Not a timestamp to a day or back, which edgealchemy makes agree (README).
    applies: (pg, lite, spec) =>
      isValue(pg) &&
      isValue(lite) &&
      has(
        spec,
        (s) =>
          s.op === "cast" &&
          !["date", "datetime"].every((sort) => [s.sort, s.operand.sort].includes(sort as never)),
      ),
  },
  {
    reason:
      "a Numeric: spelled as written on PostgreSQL and shortest on SQLite, computed in doubles on SQLite (README)",
    applies: (pg, lite, spec) => isValue(pg) && isValue(lite) && has(spec, (s) => s.sort === "numeric"),
  },
  {
    reason:
      "LIKE ignores the case of ASCII letters on SQLite, and a pattern ending in a lone backslash matches nothing there (an error on PostgreSQL); lower(), upper() and ILIKE fold ASCII letters only there (README)",
    applies: (_, __, spec) =>
      has(spec, (s) => (s.op === "func" && /^(lower|upper)$/.test(s.name)) || isMethod(s, /like/i)),
  },
  {
    reason: "round() of a double: half to even on PostgreSQL, half away from zero on SQLite (README)",
    applies: (_, __, spec) => has(spec, (s) => s.op === "func" && s.name === "round"),
  },
  {
    reason: "a function outside the typed ones is the database's own (substr's negative start) (README)",
    applies: (_, __, spec) => has(spec, (s) => s.op === "func" && /^(substr|trim)$/.test(s.name)),
  },
  {
    reason:
      "abs() of a bare parameter: PostgreSQL takes an untyped parameter as a double there (fuzzer artefact; cast it)",
    unrunnable: true,
    applies: (_, __, spec) =>
      has(spec, (s) => s.op === "func" && s.name === "abs" && !has(s, (inner) => inner.op === "col")),
  },
  {
    reason: "text order is the database's collation (README)",
    applies: (_, __, spec) =>
      has(
        spec,
        (s) =>
          isMethod(s, /^(lt|le|gt|ge|between|notBetween)$/) &&
          s.op === "method" &&
          s.receiver.sort === "text",
      ),
  },
]

/** A bulk UPDATE's finding has no outcomes of its own: only the rules on its expression apply. */
const NO_OUTCOMES: Readonly<Record<string, Outcome>> = {
  postgresql: { kind: "value", value: null },
  sqlite: { kind: "value", value: null },
}

/** The documented reason for a disagreement between the databases, or undefined when none explains it. */
export function documentedDifference(finding: Finding): string | undefined {
  const between = finding.category === "postgresql≠sqlite"
  const unrunnable = finding.category === "memory≠postgresql" || finding.category === "object≠postgresql"
  if (!(between || unrunnable) || !finding.spec) return undefined
  const { postgresql, sqlite } = finding.outcomes ?? NO_OUTCOMES
  if (!postgresql || !sqlite) return undefined
  return RULES.find(
    (rule) => (between || rule.unrunnable) && rule.applies(postgresql, sqlite, finding.spec as Spec),
  )?.reason
}

function isMethod(spec: Spec, name: RegExp): boolean {
  return spec.op === "method" && name.test(spec.name)
}

function has(spec: Spec, test: (s: Spec) => boolean): boolean {
  if (test(spec)) return true
  switch (spec.op) {
    case "col":
    case "lit":
      return false
    case "method":
      return has(spec.receiver, test) || spec.args.some((a) => has(a, test))
    case "func":
    case "logic":
      return spec.args.some((a) => has(a, test))
    case "in":
      return has(spec.operand, test) || spec.items.some((a) => has(a, test))
    case "case":
      return (
        spec.whens.flat().some((a) => has(a, test)) || (spec.otherwise ? has(spec.otherwise, test) : false)
      )
    case "cast":
      return has(spec.operand, test)
  }
}
