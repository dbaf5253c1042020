// Hybrid properties, as SQLAlchemy's `hybrid_property`: one SQL expression of a model's columns that
// is a labelled Core expression on the class (`select(User.fullName).where(User.fullName.eq(...))`) and
// a computed, read-only value on instances, evaluated in memory from the same definition:
//   model("users", {...}, { hybrids: hybrid((c) => ({ fullName: c.firstName.concat(" ").concat(c.lastName) })) })
// `model()` knows hybrids only through the installer `hybrid()` returns, so an app without hybrids
// carries neither this module nor the in-memory evaluator.
import { InvalidRequestError, NotLoadedError } from "../errors.ts"
import type { Expression, Label } from "../sql/expression.ts"
import { type Evaluator, evaluator, rowValues, Unevaluable, UnknownColumn } from "./evaluate.ts"
import { hybridExpressions } from "./hybrid-expressions.ts"
import type { Mapper, ModelConstructor } from "./mapper.ts"
import { type InstanceState, STATE } from "./state.ts"

export type Hybrids = { readonly [key: string]: Expression<unknown> }

/** The instance side: each hybrid's value type. */
export type HybridValues<H> = { readonly [K in keyof H]: H[K] extends Expression<infer T> ? T : never }

/** What `hybrid()` gives `model()`: the hybrids' types, and how to put them on the model. */
export interface HybridInstaller<C, H extends Hybrids> {
  /** Phantom: the hybrids' expressions, for the model's types. */
  readonly hybrids?: H
  install(model: object, mapper: Mapper, columns: C, taken: ReadonlySet<string>): void
}

/** Hybrid properties of a model, built from its columns: `hybrid((c) => ({ total: c.price.mul(c.qty) }))`. */
export function hybrid<C, H extends Hybrids>(build: (columns: C) => H): HybridInstaller<C, H> {
  return { install: (model, mapper, columns, taken) => defineHybrids(model, mapper, build(columns), taken) }
}

function defineHybrids(model: object, mapper: Mapper, hybrids: Hybrids, taken: ReadonlySet<string>): void {
  hybridExpressions.set(mapper, hybrids)
  for (const [key, expression] of Object.entries(hybrids)) {
    if (taken.has(key)) {
      throw new InvalidRequestError(
        `${mapper.table.name} cannot have a hybrid named "${key}": the name is taken by a field or by JavaScript functions`,
      )
    }
    const labelled: Label<unknown> = expression.label(key)
    Object.defineProperty(model, key, {
      get(this: ModelConstructor) {
        mapper.adopt(this)
        return labelled
      },
    })
    let compute: Evaluator | undefined
    Object.defineProperty((model as { prototype: object }).prototype, key, {
      get(this: { [STATE]: InstanceState }) {
        compute ??= instanceEvaluator(mapper, key, expression)
        const state = this[STATE]
        // An object with a row knows its columns, unless it is a reference: then one missing is unknown.
        return compute(state.committed ? rowValues(state.values, mapper.name) : state.values)
      },
    })
  }
}

/** The in-memory side; what memory cannot compute (now, or for some values) names the fix. */
function instanceEvaluator(mapper: Mapper, key: string, expression: Expression<unknown>): Evaluator {
  const refuse = (error: unknown): never => {
    if (error instanceof UnknownColumn) {
      throw new NotLoadedError(
        `${mapper.name}.${key} needs ${error.message.replace(" is not loaded", "")}, which this reference does not know: ` +
          "pass it to session.reference, or load the row (refresh, commit({ read }))",
      )
    }
    if (!(error instanceof Unevaluable)) throw error
    throw new InvalidRequestError(
      `${mapper.name}.${key} cannot be computed in memory (${error.message}); ` +
        `define it for instances with a getter in the class body: get ${key}() { ... }`,
    )
  }
  try {
    const compute = evaluator(expression, mapper.table)
    return (values) => {
      try {
        return compute(values)
      } catch (error) {
        return refuse(error)
      }
    }
  } catch (error) {
    return refuse(error)
  }
}
