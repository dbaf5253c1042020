// Options objects given by JavaScript callers, JSON or casts: a key the callee does not know (a typo,
// SQLAlchemy's snake_case `back_populates`, `server_default`) would otherwise be ignored, and what it
// asked for silently not done. Refused, naming the option meant where one is close.
import { InvalidRequestError } from "../errors.ts"

/**
 * Throws for a key of `given` that is not in `known`: `${where}: unknown option "x" (did you mean y?);
 * it takes a, b, c`. Keys are matched ignoring case and underscores for the hint (`onupdate`,
 * `on_update` and `ONUPDATE` all suggest `onUpdate`).
 */
export function refuseUnknownOptions(where: string, given: object, known: readonly string[]): void {
  for (const key of Object.keys(given)) {
    if (known.includes(key)) continue
    const meant = known.find((name) => folded(name) === folded(key))
    throw new InvalidRequestError(
      `${where}: unknown option "${key}"${meant ? ` (did you mean ${meant}?)` : ""}; it takes ${known.join(", ")}`,
    )
  }
}

function folded(name: string): string {
  return name.replaceAll("_", "").toLowerCase()
}
