// The string and template literals of minified JavaScript (esbuild's output: no comments), for
// measuring what a bundle's text costs. A small scanner rather than a parser: it tells a regular
// expression from a division by the token before the slash, which is enough for minified code.

/** Characters after which a `/` starts a regular expression rather than dividing. */
const BEFORE_REGEX = new Set([..."(,=:[!&|?{};+-*%<>~^"])
const KEYWORDS_BEFORE_REGEX =
  /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)$/

/** Every string literal's and template literal's text (template holes left out), in order. */
export function stringLiterals(code: string): string[] {
  const found: string[] = []
  let i = 0
  let lastSignificant = ""
  const stack: ("template" | "brace")[] = []
  while (i < code.length) {
    const c = code[i] as string
    if (c === '"' || c === "'") {
      const end = skipQuoted(code, i, c)
      found.push(code.slice(i + 1, end - 1))
      i = end
      lastSignificant = c
    } else if (c === "`" || (c === "}" && stack[stack.length - 1] === "template")) {
      // A template's text runs to the closing backtick or to the next hole.
      if (c === "}") stack.pop()
      let j = i + 1
      let text = ""
      while (j < code.length && code[j] !== "`" && !(code[j] === "$" && code[j + 1] === "{")) {
        if (code[j] === "\\") {
          text += code.slice(j, j + 2)
          j += 2
        } else text += code[j++]
      }
      found.push(text)
      if (code[j] === "$") {
        stack.push("template")
        i = j + 2
        lastSignificant = "{"
      } else {
        i = j + 1
        lastSignificant = "`"
      }
    } else if (c === "/" && isRegexStart(code, i, lastSignificant)) {
      i = skipRegex(code, i)
      lastSignificant = "/"
    } else {
      if (c === "{") stack.push("brace")
      else if (c === "}") stack.pop()
      if (!/\s/.test(c)) lastSignificant = c
      i++
    }
  }
  return found
}

function skipQuoted(code: string, start: number, quote: string): number {
  let i = start + 1
  while (i < code.length && code[i] !== quote) i += code[i] === "\\" ? 2 : 1
  return i + 1
}

function isRegexStart(code: string, at: number, lastSignificant: string): boolean {
  if (lastSignificant === "" || BEFORE_REGEX.has(lastSignificant)) return true
  return KEYWORDS_BEFORE_REGEX.test(code.slice(Math.max(0, at - 8), at).trimEnd())
}

function skipRegex(code: string, start: number): number {
  let i = start + 1
  let inClass = false
  while (i < code.length) {
    const c = code[i]
    if (c === "\\") i += 2
    else {
      if (c === "[") inClass = true
      else if (c === "]") inClass = false
      else if (c === "/" && !inClass) break
      i++
    }
  }
  i++
  while (i < code.length && /[a-z]/.test(code[i] as string)) i++
  return i
}
