// Reads the module specifiers a TypeScript file imports: static imports and re-exports (type-only ones
// too: a type import across layers couples them as much as a value import) and dynamic `import("x")`.
// TypeScript 7 ships no JavaScript API for a parser, so this is a small scanner: it blanks out comments
// and the insides of strings first, so that `// import x from "y"` or a URL in a string never counts.

const STATIC_IMPORT = /(?:^|[\s;{}])(?:import|export)(?:\s+type)?(?:[\s{*][^;'"`]*?\bfrom)?\s*(["'])(.*?)\1/dg
const DYNAMIC_IMPORT = /\bimport\s*\(\s*(["'])(.*?)\1\s*\)/dg

export function importedSpecifiers(source: string): string[] {
  const code = blankCommentsAndStrings(source)
  const found: string[] = []
  for (const pattern of [STATIC_IMPORT, DYNAMIC_IMPORT]) {
    for (const match of code.matchAll(pattern)) {
      const [start, end] = match.indices?.[2] ?? [0, 0]
      found.push(source.slice(start, end))
    }
  }
  return found
}

/**
 * Replaces comments with spaces and the characters inside string literals with `_`, keeping every
 * offset, so patterns run on the code alone and specifiers are read back from the original text.
 * Quote characters stay, so a specifier's string is still recognisable.
 */
function blankCommentsAndStrings(source: string): string {
  const out = source.split("")
  let i = 0
  const blank = (from: number, to: number, fill: string) => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = fill
  }
  while (i < source.length) {
    const char = source[i]
    const next = source[i + 1]
    if (char === "/" && next === "/") {
      const end = source.indexOf("\n", i)
      const stop = end === -1 ? source.length : end
      blank(i, stop, " ")
      i = stop
    } else if (char === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2)
      const stop = end === -1 ? source.length : end + 2
      blank(i, stop, " ")
      i = stop
    } else if (char === '"' || char === "'" || char === "`") {
      let k = i + 1
      while (k < source.length && source[k] !== char) k += source[k] === "\\" ? 2 : 1
      blank(i + 1, k, "_")
      i = k + 1
    } else {
      i++
    }
  }
  return out.join("")
}
