// Event listeners, as SQLAlchemy's `event.listen`: mapper events around the rows of a flush and
// session events around flushes and transactions. Mapper events run while the flush is planned, so
// that what a listener adds (an audit entry) is written by the same flush, in the same request; for a
// row the flush inserts, `context.keyOf(obj)` is an expression the database turns into its new key.
import { InvalidRequestError } from "../errors.ts"
import type { Expression } from "../sql/expression.ts"
import { cached } from "../util/cached.ts"
import type { Mapper, ModelConstructor } from "./mapper.ts"
import { mapperOf } from "./mapper-of.ts"

export const MAPPER_EVENTS = [
  "beforeInsert",
  "afterInsert",
  "beforeUpdate",
  "afterUpdate",
  "beforeDelete",
  "afterDelete",
] as const
export type MapperEvent = (typeof MAPPER_EVENTS)[number]
export const SESSION_EVENTS = ["beforeFlush", "afterFlush", "afterCommit", "afterRollback"] as const
export type SessionEvent = (typeof SESSION_EVENTS)[number]

export interface FlushContext {
  /** The session flushing; listeners may `add` objects to it, written in the same flush. */
  readonly session: { add(object: object): void }
  /** The object's primary key: its value, or for a row this flush inserts, an expression for it. */
  keyOf(object: object): number | Expression<number>
}

export type MapperListener<T> = (object: T, context: FlushContext) => void

/** Listeners by event, for one mapper or one session. */
export class Listeners<E extends string, L> {
  readonly #byEvent = new Map<E, L[]>()

  constructor(
    /** The events there are, and what registers them, for the refusal of any other. */
    readonly events: readonly E[],
    readonly registeredBy: string,
  ) {}

  // Lists are replaced, never changed in place: a listener that adds or removes one while its event
  // is being dispatched changes the next dispatch, not the one under way (which would skip a listener).
  add(event: E, listener: L): () => void {
    // A misspelt event (from JavaScript, or a cast) was kept under its own name and never fired.
    if (!this.events.includes(event)) {
      throw new InvalidRequestError(
        `No event "${event}" for ${this.registeredBy}: the events are ${this.events.join(", ")}`,
      )
    }
    if (typeof listener !== "function") {
      throw new InvalidRequestError(
        `${this.registeredBy} takes a function to call on ${event}, not ${describeListener(listener)}`,
      )
    }
    // Registered once, as SQLAlchemy's event.listen: a handler that listens on every request (the same
    // function each time) ran once more per request, and removing it once left it listening.
    if (!this.get(event).includes(listener)) this.#byEvent.set(event, [...this.get(event), listener])
    return () => {
      const list = [...this.get(event)]
      const at = list.indexOf(listener)
      if (at !== -1) list.splice(at, 1)
      this.#byEvent.set(event, list)
    }
  }

  get(event: E): readonly L[] {
    return this.#byEvent.get(event) ?? []
  }
}

const listenersByMapper = new WeakMap<Mapper, Listeners<MapperEvent, MapperListener<object>>>()

/**
 * A model's mapper events (`listen`), read by the flush. Kept here rather than on the Mapper, so that a
 * worker that neither listens nor flushes carries no Listeners.
 */
export function mapperListeners(mapper: Mapper): Listeners<MapperEvent, MapperListener<object>> {
  return cached(listenersByMapper, mapper, () => new Listeners(MAPPER_EVENTS, `listen(${mapper.name}, ...)`))
}

function describeListener(listener: unknown): string {
  return listener === null || typeof listener !== "object" ? String(listener) : "an object"
}

/** `listen(Post, "afterInsert", (post, { session, keyOf }) => session.add(new AuditLog({...})))` */
export function listen<M extends ModelConstructor>(
  model: M,
  event: MapperEvent,
  listener: MapperListener<InstanceType<M>>,
): () => void {
  return mapperListeners(mapperOf(model)).add(event, listener as MapperListener<object>)
}

/** The validators `validates` registered; any other a mapper runs is the session's own. */
const applicationValidators = new WeakSet<object>()

/** What a validator of an attribute gets and returns: its value, or each object a collection gains. */
type Validated<V> = V extends readonly (infer Item)[] ? Item : V

/**
 * `validates(User, ["email"], (key, value) => value.toLowerCase())`: runs when the attribute is set
 * (and on construction); returns the value to store, or throws to refuse it. On a collection it gets
 * each object the collection gains (push, splice, assignment), and on either side of a back-populated
 * link it runs when the other side changes it, as SQLAlchemy's `@validates`.
 */
export function validates<M extends ModelConstructor, const K extends keyof InstanceType<M> & string>(
  model: M,
  keys: readonly K[],
  validator: (
    key: K,
    value: Validated<InstanceType<M>[K]>,
    object: InstanceType<M>,
  ) => Validated<InstanceType<M>[K]>,
): () => void {
  const mapper = mapperOf(model)
  // SQLAlchemy's @validates("email") takes names as arguments: a string here went letter by letter
  // ('User has no attribute "e"'), and a missing function failed only at the first set.
  if (!Array.isArray(keys) || typeof validator !== "function") {
    throw new InvalidRequestError(
      `validates() takes ${mapper.name}'s attribute names as an array and a function: validates(${mapper.name}, ["${Array.isArray(keys) ? keys[0] : keys}"], (key, value) => value)`,
    )
  }
  const validate = validator as (key: string, value: unknown, object: object) => unknown
  // What a validator returns is stored as is: undefined (one that checks and forgets to return) lost the
  // value, or left a collection or a link half made for the flush to fail on; a promise (an async
  // validator) was stored in place of the value. Refused as the validator's, before anything changes.
  const added = (key: string, value: unknown, object: object): unknown => {
    const result = validate(key, value, object)
    if (result === undefined || result instanceof Promise) {
      if (result instanceof Promise) result.catch(() => undefined)
      throw new InvalidRequestError(
        `The validator of ${mapper.name}.${key} returned ${result === undefined ? "undefined" : "a Promise"}: ` +
          "a validator runs as the value is set, and returns the value to store (null for NULL) or throws to refuse it",
      )
    }
    return result
  }
  // Every name checked before any is registered: a refused call registers nothing.
  for (const key of keys) {
    if (!mapper.columnKeys.includes(key) && !mapper.relationshipSpecs.has(key)) {
      throw new InvalidRequestError(`${mapper.name} has no attribute "${key}" to validate`)
    }
  }
  applicationValidators.add(added)
  for (const key of keys) {
    // After the application's validators, before the session's own hook (./expired-sets.ts notes a set
    // on an expired object), whenever each was registered: one registered after a commit expired the
    // object ran after the hook, and a value it refused was still written by the next flush.
    const list = mapper.validators.get(key) ?? []
    const at = list.findLastIndex((validator) => applicationValidators.has(validator)) + 1
    mapper.validators.set(key, [...list.slice(0, at), added, ...list.slice(at)])
  }
  return () => {
    for (const key of keys)
      mapper.validators.set(
        key,
        (mapper.validators.get(key) ?? []).filter((v) => v !== added),
      )
  }
}
