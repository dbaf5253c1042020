// The registry of models: their MetaData, and the names relationships use to find their targets.
// JavaScript has no hook for "a class extends mine", so a model's class is learned when it is first
// used (constructed, selected, or one of its attributes read); `registerModels(...)` does it up front.
import { InvalidRequestError } from "../errors.ts"
import { MetaData } from "../sql/schema/metadata.ts"
import type { Mapper, ModelConstructor } from "./mapper.ts"
import { mapperOf } from "./mapper-of.ts"

export class Registry {
  readonly metadata = new MetaData()
  readonly #byName = new Map<string, Mapper>()

  /** Called when a mapper learns its class: relationships can now name it. */
  register(mapper: Mapper): void {
    const name = mapper.cls.name
    const existing = this.#byName.get(name)
    if (existing && existing !== mapper) {
      throw new InvalidRequestError(
        `Two models are named "${name}" in one registry, which relationships cannot tell apart; give each its own name`,
      )
    }
    this.#byName.set(name, mapper)
  }

  /** Makes models known by name before their first use: `registerModels(User, Post, Tag)`. */
  registerModels(...classes: ModelConstructor[]): void {
    for (const cls of classes) mapperOf(cls).adopt(cls)
  }

  /**
   * The models the registry knows, by class name: how relationships find their targets. A getter rather
   * than methods to look them up, which every worker would carry (only relationships use them).
   */
  get models(): ReadonlyMap<string, Mapper> {
    return this.#byName
  }
}

/** The registry models join unless `model(..., { registry })` names another. */
export const defaultRegistry = /* @__PURE__ */ new Registry()

/**
 * The registries `registerModels()` was given models of: where a relationship's refusal finds a target
 * that another registry holds (relationships resolve within their own registry, as SQLAlchemy's).
 */
export const registriesInUse = /* @__PURE__ */ new Set<Registry>()

export function registerModels(...classes: ModelConstructor[]): void {
  for (const cls of classes) {
    const { registry } = mapperOf(cls)
    registriesInUse.add(registry)
    registry.registerModels(cls)
  }
}
