// Shrinking a spec: simpler specs of the same sort, tried in turn by the fuzzer's minimiser
// (./findings.ts) while the disagreement still shows.
import { children, printValue, type Spec } from "./expression-specs.ts"
import { type Sort, TEXTS } from "./fuzz-model.ts"

/** Simpler specs of the same sort: a descendant in its place, a child simplified, a plainer literal. */
export function* shrinkSpec(spec: Spec): Generator<Spec> {
  for (const child of descendants(spec)) if (child.sort === spec.sort && child !== spec) yield child
  if (spec.op === "lit") {
    for (const simpler of simplerValues(spec)) yield { ...spec, value: simpler }
    return
  }
  // Each child, shrunk in place.
  const parts = children(spec)
  for (let i = 0; i < parts.length; i++) {
    for (const smaller of shrinkSpec(parts[i] as Spec)) yield replaceChild(spec, i, smaller)
  }
  if (spec.op === "in" && spec.items.length > 0) {
    for (let i = 0; i < spec.items.length; i++) yield { ...spec, items: spec.items.filter((_, j) => j !== i) }
  }
  if (spec.op === "case") {
    if (spec.whens.length > 1) yield { ...spec, whens: spec.whens.slice(1) }
    if (spec.otherwise) yield { ...spec, otherwise: undefined }
  }
}

function descendants(spec: Spec): Spec[] {
  return children(spec).flatMap((child) => [child, ...descendants(child)])
}

function simplerValues(spec: Spec & { op: "lit" }): unknown[] {
  const { value, sort } = spec
  const candidates: Record<Sort, unknown[]> = {
    int: [0, 1, -1],
    big: [0n, 1n],
    float: [0, 1, 0.5],
    numeric: ["0", "1"],
    text: ["", "a", TEXTS[3]],
    bool: [false, true],
    datetime: [new Date(0)],
    date: ["2000-01-01"],
    json: [1, {}],
  }
  return (candidates[sort] ?? []).filter((c) => printValue(c) !== printValue(value))
}

function replaceChild(spec: Spec, index: number, child: Spec): Spec {
  switch (spec.op) {
    case "method":
      return index === 0
        ? { ...spec, receiver: child }
        : { ...spec, args: spec.args.map((a, i) => (i === index - 1 ? child : a)) }
    case "func":
    case "logic":
      return { ...spec, args: spec.args.map((a, i) => (i === index ? child : a)) } as Spec
    case "in":
      return index === 0
        ? { ...spec, operand: child }
        : { ...spec, items: spec.items.map((a, i) => (i === index - 1 ? child : a)) }
    case "case": {
      const flat = [...spec.whens.flat(), ...(spec.otherwise ? [spec.otherwise] : [])]
      flat[index] = child
      const whens = spec.whens.map((_, i) => [flat[2 * i], flat[2 * i + 1]] as [Spec, Spec])
      return { ...spec, whens, otherwise: spec.otherwise ? flat[flat.length - 1] : undefined }
    }
    case "cast":
      return { ...spec, operand: child }
    default:
      return spec
  }
}
