// Model validators (SQLAlchemy's @validates): they run on construction and on every assignment, so no
// code path can store an email without `@` or a tag name that is not lower-case.
import { validates } from "../../src/index.ts"
import { Tag, User } from "./models.ts"

/** A value a model refuses; answered with 422 validation_error. */
export class ModelValidationError extends Error {
  override name = "ModelValidationError"
}

validates(User, ["email"], (_key, value: string) => {
  if (!value.includes("@")) throw new ModelValidationError("email must contain @")
  return value.toLowerCase()
})

validates(Tag, ["name"], (_key, value: string) => {
  const name = value.trim().toLowerCase()
  if (!/^[a-z0-9][a-z0-9-]{0,49}$/.test(name)) {
    throw new ModelValidationError(
      `tag "${value}" must be 1-50 letters, digits or dashes, starting with a letter or digit`,
    )
  }
  return name
})
