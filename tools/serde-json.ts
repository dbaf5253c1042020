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
  let text: string
  try {
    text = strictUtf8.decode(bytes)
  } catch {
    return { refusal: "invalid unicode code point" }
  }
  const refusal = serdeRefusal(text)
  return refusal ? { refusal } : { text }
}

/** The first of serde_json's refusals that JSON.parse does not make, in the order of the text. */
function serdeRefusal(text: string): string | undefined {
  let depth = 0
  let inString = false
  for (let at = 0; at < text.length; at++) {
    const char = text[at]
    if (inString) {
      if (char === '"') inString = false
      else if (char === "\\") {
        if (text[at + 1] !== "u") at++
        else {
          const length = unicodeEscape(text, at)
          if (typeof length === "string") return length
          at += length - 1
        }
      }
    } else if (char === '"') inString = true
    else if (char === "[" || char === "{") {
      if (++depth >= RECURSION_LIMIT) return "recursion limit exceeded"
    } else if (char === "]" || char === "}") depth--
  }
  return undefined
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
