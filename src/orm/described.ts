// What a value is, for a message that refuses it: a plain object, the class User, a User, the string "x".
// Only on the write and relationship paths: the read workers carry none of it.

export function described(value: unknown): string {
  if (typeof value === "function") return `the class ${value.name}`
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`
  if (value == null) return String(value)
  // String(): JSON.stringify throws on a bigint.
  if (typeof value !== "object") return `the ${typeof value} ${String(value)}`
  const name = (value as object).constructor?.name
  return name === "Object" || !name ? "a plain object" : `a ${name}`
}
