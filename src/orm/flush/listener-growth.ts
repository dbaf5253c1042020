// What mapper listeners add while a flush is planned, by generation: objects added for the
// application's objects are the first, objects added for those the second, and so on. Each generation
// is told in the next planning round, so a listener that adds objects of its own model on every insert
// never ends, and one that adds two doubles the flush each round: a limit of 20 rounds stopped it only
// after ~2^20 objects and ~20 s. Legitimate chains (an author's listener adds a book, the book's an
// audit row) are a few generations deep and grow with the application's objects, not round by round;
// SQLAlchemy writes what mapper listeners add in the next flush and stops commit() after 100 flushes,
// which an exponential listener never reaches either.
import { InvalidRequestError } from "../../errors.ts"
import type { InstanceState } from "../state.ts"

/** Generations of objects added for objects listeners added: deeper, a listener is feeding on itself. */
export const MAX_LISTENER_GENERATIONS = 10
/** Objects of the second generation on, past 10 per first-generation object: growth round after round. */
const FED_ALLOWANCE = 1000

interface Told {
  readonly state: InstanceState
  readonly listener: string
}

export class ListenerGrowth {
  readonly #generation = new Map<InstanceState, number>()
  #telling: Told | undefined
  #first = 0
  #fed = 0
  #deepest = 0
  /** The listener that added the latest object of the second generation on, and what it added so. */
  #feeding: { listener: string; told: Set<InstanceState>; added: Map<string, number> } | undefined

  /**
   * A listener (`Book beforeInsert`) is about to be told of `state`, or none is: first, a flush whose
   * listeners have grown past the limits is refused, before any more is added.
   */
  telling(state?: InstanceState, listener?: string): void {
    this.#refuseRunaway()
    this.#telling = state && listener ? { state, listener } : undefined
  }

  /** `state` joined the session while a listener was told of an object (else nothing is noted). */
  added(state: InstanceState): void {
    const told = this.#telling
    if (!told || this.#generation.has(state)) return
    const generation = (this.#generation.get(told.state) ?? 0) + 1
    this.#generation.set(state, generation)
    this.#deepest = Math.max(this.#deepest, generation)
    if (generation === 1) {
      this.#first++
      return
    }
    this.#fed++
    if (this.#feeding?.listener !== told.listener)
      this.#feeding = { listener: told.listener, told: new Set(), added: new Map() }
    this.#feeding.told.add(told.state)
    const name = state.mapper.name
    this.#feeding.added.set(name, (this.#feeding.added.get(name) ?? 0) + 1)
  }

  #refuseRunaway(): void {
    const deep = this.#deepest > MAX_LISTENER_GENERATIONS
    if (!deep && this.#fed <= FED_ALLOWANCE + 10 * this.#first) return
    const feeding = this.#feeding
    const did = feeding
      ? `the ${feeding.listener} listener added ${[...feeding.added].map(([model, n]) => `${n} ${model}`).join(", ")} for ${feeding.told.size} object(s) that listeners had added`
      : "listeners added objects for the objects listeners had added"
    throw new InvalidRequestError(
      `Mapper listeners keep adding objects for the objects they add: ${did}, ${this.#deepest} generations deep and ${this.#first + this.#fed} objects in all (limits: ${MAX_LISTENER_GENERATIONS} generations, and ${FED_ALLOWANCE} objects past the first generation plus 10 per object of it), so the flush would never end. Nothing of this flush was sent, and its objects are as they were before it. Have the listener add objects only for the application's (skip those a listener made, by a flag or their model)`,
    )
  }
}
