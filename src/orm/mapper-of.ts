// Finding the mapper of a model class or instance. Kept apart so every ORM module can use it.
import { InvalidRequestError } from "../errors.ts"
import type { Mapper } from "./mapper.ts"

export const MAPPER: unique symbol = Symbol.for("edgealchemy.mapper")

/** The mapper of a model class, or of an `aliased(...)` model. */
export function mapperOf(cls: unknown): Mapper {
  const mapper = (cls as { [MAPPER]?: Mapper } | null | undefined)?.[MAPPER]
  if (!mapper) {
    const name = typeof cls === "function" ? cls.name || "this class" : "this value"
    throw new InvalidRequestError(`${name} is not a model: class X extends model("table", {...})`)
  }
  return mapper
}
