// A request body read as both real services read it: sqld and Neon's proxy parse JSON with Rust's
// serde_json, which refuses what JSON.parse lets through. Three refusals matter to a stand-in:
// - text that is not UTF-8 (Node's decoder would put U+FFFD in its place and store that);
// - half a surrogate pair in a `\u` escape: JSON.stringify writes a JS string cut in the middle of an
//   emoji as "\ud83d", which JSON.parse keeps and the database then stores as U+FFFD;
// - nesting past serde_json's recursion limit (128: a 128th level is refused), which JSON.parse
//   accepts and a recursive decoder then overflows its stack on.
// The words are serde_json's, without its "at line L column C".

/** serde_json's default recursion limit: a value nested this deep is refused. */
const RECURSION_LIMIT = 128

const strictUtf8 = new TextDecoder("utf-8", { fatal: true })

/** The body's text for JSON.parse, or serde_json's refusal of it. */
export function jsonTextLikeSerde(bytes: Uint8Array): { text: string } | { refusal: string } {
  const read = scanLikeSerde(bytes)
  return "refusal" in read ? read : { text: read.text }
}

/**
 * The body's value as JSON.parse gives it, or serde_json's refusal of its text. An object in it that
 * holds a key twice (JSON.parse keeps the last) carries the keys it repeats (`repeatedKeys`): a struct
 * that serde derives Deserialize for refuses a field given twice ("duplicate field `baton`"), so the
 * decoder that knows which keys are fields refuses them (an unknown key twice is ignored, as serde's
 * IgnoredAny does).
 */
export function parseLikeSerde(bytes: Uint8Array): { value: unknown } | { refusal: string } {
  const read = scanLikeSerde(bytes)
  if ("refusal" in read) return read
  // JSON.parse refuses what is not JSON at all, with its own words; the reader of repeated keys runs
  // on text JSON.parse accepted.
  const value: unknown = JSON.parse(read.text)
  return { value: read.repeatedKey ? new RepeatedKeysReader(read.text).value() : value }
}

const REPEATED_KEYS = Symbol("repeatedKeys")
/** A number or a literal, at lastIndex. */
const LITERAL = /true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y

/** The keys an object of parseLikeSerde's value holds more than once (none for most). */
export function repeatedKeys(object: object): readonly string[] {
  return (object as { [REPEATED_KEYS]?: string[] })[REPEATED_KEYS] ?? []
}

function scanLikeSerde(bytes: Uint8Array): { text: string; repeatedKey: boolean } | { refusal: string } {
  let text: string
  try {
    text = strictUtf8.decode(bytes)
  } catch {
    return { refusal: "invalid unicode code point" }
  }
  const scan = serdeScan(text)
  return scan.refusal ? { refusal: scan.refusal } : { text, repeatedKey: scan.repeatedKey }
}

/** The first of serde_json's refusals that JSON.parse does not make, in the order of the text, and
 *  whether an object holds a key twice. */
function serdeScan(text: string): { refusal?: string; repeatedKey: boolean } {
  let depth = 0
  let inString = false
  let repeatedKey = false
  // The keys of each open object (undefined for an array); a string read where a key may stand is one.
  const keys: Array<Set<string> | undefined> = []
  let expectKey = false
  let stringStart = 0
  let escaped = false
  for (let at = 0; at < text.length; at++) {
    const char = text[at]
    if (inString) {
      if (char === '"') {
        inString = false
        const open = keys[keys.length - 1]
        if (expectKey && open && !repeatedKey) {
          const key = escaped
            ? (JSON.parse(text.slice(stringStart, at + 1)) as string)
            : text.slice(stringStart + 1, at)
          if (open.has(key)) repeatedKey = true
          else open.add(key)
        }
        expectKey = false
      } else if (char === "\\") {
        escaped = true
        if (text[at + 1] !== "u") at++
        else {
          const length = unicodeEscape(text, at)
          if (typeof length === "string") return { refusal: length, repeatedKey }
          at += length - 1
        }
      }
    } else if (char === '"') {
      inString = true
      stringStart = at
      escaped = false
    } else if (char === "[" || char === "{") {
      if (++depth >= RECURSION_LIMIT) return { refusal: "recursion limit exceeded", repeatedKey }
      keys.push(char === "{" ? new Set() : undefined)
      expectKey = char === "{"
    } else if (char === "]" || char === "}") {
      depth--
      keys.pop()
      expectKey = false
    } else if (char === ",") expectKey = keys[keys.length - 1] !== undefined
  }
  return { repeatedKey }
}

/** JSON text (that JSON.parse accepted) read into the same value, each object that repeats a key
 *  marked with the keys it repeats. Only for bodies that repeat one: JSON.parse is much faster. */
class RepeatedKeysReader {
  #at = 0
  #backslash = 0
  constructor(private readonly text: string) {}

  value(): unknown {
    this.#skipSpace()
    const char = this.text[this.#at]
    if (char === "{") return this.#object()
    if (char === "[") return this.#array()
    if (char === '"') return this.#string()
    LITERAL.lastIndex = this.#at
    const token = (LITERAL.exec(this.text) as RegExpExecArray)[0]
    this.#at += token.length
    return JSON.parse(token)
  }

  #object(): Record<string, unknown> {
    const object: Record<string, unknown> = {}
    const repeated: string[] = []
    this.#at++
    this.#skipSpace()
    if (this.text[this.#at] === "}") {
      this.#at++
      return object
    }
    for (;;) {
      this.#skipSpace()
      const key = this.#string()
      if (Object.hasOwn(object, key) && !repeated.includes(key)) repeated.push(key)
      this.#skipSpace()
      this.#at++ // :
      // As JSON.parse: the last value given for a key is kept (defineProperty: "__proto__" is a key).
      Object.defineProperty(object, key, {
        value: this.value(),
        enumerable: true,
        writable: true,
        configurable: true,
      })
      this.#skipSpace()
      if (this.text[this.#at++] === "}") break
    }
    if (repeated.length > 0) Object.defineProperty(object, REPEATED_KEYS, { value: repeated })
    return object
  }

  #array(): unknown[] {
    const array: unknown[] = []
    this.#at++
    this.#skipSpace()
    if (this.text[this.#at] === "]") {
      this.#at++
      return array
    }
    for (;;) {
      array.push(this.value())
      this.#skipSpace()
      if (this.text[this.#at++] === "]") break
    }
    return array
  }

  #string(): string {
    const start = this.#at
    let at = start + 1
    let escaped = false
    for (;;) {
      const quote = this.text.indexOf('"', at)
      // The next backslash, found once for many strings (searched anew for each, the search was quadratic).
      if (this.#backslash !== -1 && this.#backslash < at) this.#backslash = this.text.indexOf("\\", at)
      const backslash = this.#backslash
      if (backslash === -1 || backslash > quote) {
        at = quote
        break
      }
      escaped = true
      at = backslash + 2
    }
    this.#at = at + 1
    return escaped ? (JSON.parse(this.text.slice(start, at + 1)) as string) : this.text.slice(start + 1, at)
  }

  #skipSpace(): void {
    for (;;) {
      const code = this.text.charCodeAt(this.#at)
      if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return
      this.#at++
    }
  }
}

/** serde_json's checks of a `\uXXXX` escape at `at`: a trailing surrogate alone, or a leading one not
 *  followed by a `\u` escape of a trailing one, is refused (the refusal is returned); otherwise the
 *  escape's length (12 for a pair). A malformed escape is left to JSON.parse. */
function unicodeEscape(text: string, at: number): string | number {
  const unit = hexEscape(text, at)
  if (unit === undefined || unit < 0xd800 || unit > 0xdfff) return 6
  if (unit >= 0xdc00) return "lone leading surrogate in hex escape"
  if (text[at + 6] !== "\\" || text[at + 7] !== "u") return "unexpected end of hex escape"
  const next = hexEscape(text, at + 6)
  if (next === undefined) return 6
  return next >= 0xdc00 && next <= 0xdfff ? 12 : "lone leading surrogate in hex escape"
}

function hexEscape(text: string, at: number): number | undefined {
  const digits = text.slice(at + 2, at + 6)
  return /^[0-9a-fA-F]{4}$/.test(digits) ? Number.parseInt(digits, 16) : undefined
}

/** Stands for a -0 while JSON.stringify runs; no text a client sends can be it (a fresh UUID). */
const NEGATIVE_ZERO = `-0.0 ${crypto.randomUUID()}`

/**
 * JSON.stringify as serde_json writes: a float -0.0 (`0.0 * -1`, a rounding's sign) is `-0.0`, where
 * JSON.stringify writes `0` and a client read 0 for sqld's -0.
 */
export function stringifyLikeSerde(value: unknown): string {
  let negativeZero = false
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (item !== 0 || !Object.is(item, -0)) return item
    negativeZero = true
    return NEGATIVE_ZERO
  })
  return negativeZero ? text.replaceAll(`"${NEGATIVE_ZERO}"`, "-0.0") : text
}
