// Model validators (SQLAlchemy's @validates): they run on construction and on every assignment, so no
// code path can store an email without `@` or a tag name that is not lower-case.
import { validates } from "../../src/index.ts"
import { characterCount } from "../http/characters.ts"
import { Post, Tag, User } from "./models.ts"

/** A value a model refuses; answered with 422 validation_error. */
export class ModelValidationError extends Error {
  override name = "ModelValidationError"
}

const EMAIL_LENGTH = User.c.email.type.options.length ?? 100

// Checked after lower-casing, which may lengthen it ("İ" becomes "i" and a combining dot), and
// composing (NFC, as RFC 6532 asks of addresses): "é" typed as e + U+0301 is the address written
// with "é", so it cannot be registered twice.
validates(User, ["email"], (_key, value: string) => {
  const email = value.toLowerCase().normalize("NFC")
  if (!email.includes("@")) throw new ModelValidationError("email must contain @")
  if (characterCount(email) > EMAIL_LENGTH) {
    throw new ModelValidationError(`email must be at most ${EMAIL_LENGTH} characters once lower-cased`)
  }
  return email
})

/**
 * Text as GET /posts?q compares it: lower-cased by JavaScript, on both databases (SQLite's lower()
 * folds ASCII letters only), with the final sigma as any other.
 */
export function foldCase(text: string): string {
  return text.toLowerCase().replaceAll("\u03c2", "\u03c3") // ς, the final sigma, as σ
}

// Every title the ORM writes carries its folded form (posts.title_folded), whatever the code path.
validates(Post, ["title"], (_key, value: string, post) => {
  post.titleFolded = foldCase(value)
  return value
})

/**
 * A tag name as the blog keeps it, whichever way it came (a post's tags, a path, a query string):
 * trimmed, lower-cased and composed (NFC: "e" and a combining acute are one "é"), so that one name has
 * one spelling.
 */
export function tagName(raw: string): string {
  return raw.trim().toLowerCase().normalize("NFC")
}

/**
 * Whether `name` (a tagName()) is a name a tag can have: 1-50 letters of any script, digits and dashes
 * (and the marks letters carry), starting with a letter or digit.
 */
export function isTagName(name: string): boolean {
  return /^[\p{L}\p{N}][\p{L}\p{M}\p{N}-]{0,49}$/u.test(name)
}

validates(Tag, ["name"], (_key, value: string) => {
  const name = tagName(value)
  if (!isTagName(name)) {
    throw new ModelValidationError(
      `tag "${value}" must be 1-50 letters, digits or dashes, starting with a letter or digit`,
    )
  }
  return name
})
