// A model's hybrid expressions by mapper, as `hybrid()` defined them (./hybrid.ts): what an alias of the
// model adapts to its own columns (`aliased(User).fullName`, ./aliased.ts), without carrying the hybrids'
// in-memory evaluator into every bundle that uses aliased().
import type { Expression } from "../sql/expression.ts"
import type { Mapper } from "./mapper.ts"

export const hybridExpressions = new WeakMap<Mapper, Readonly<Record<string, Expression<unknown>>>>()
