// Lengths as the databases count them: a VARCHAR(n) holds n characters (code points), so an emoji is
// one character, not the two UTF-16 code units of JavaScript's `length`.

export function characterCount(text: string): number {
  let count = 0
  for (const _ of text) count++
  return count
}
