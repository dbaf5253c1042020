// Neon's JSON for a value when the request does not ask for raw text (no `Neon-Raw-Text-Output: true`;
// the official driver always asks): booleans, int2/int4 and floats become JSON numbers and booleans,
// json/jsonb are parsed, arrays become JSON arrays of their elements so converted, and everything else
// (int8 and numeric included, which JSON numbers would round) stays PostgreSQL's text. NaN and the
// infinities stay text too. Mirrors proxy/src/serverless/json.rs (`pg_text_to_json`, `pg_array_parse`).

const BOOL = 16
const INT2 = 21
const INT4 = 23
const FLOAT4 = 700
const FLOAT8 = 701
const JSON_TYPE = 114
const JSONB = 3802

/** The element type of each array type that the answer's columns have (absent: not an array). */
export type ElementTypes = ReadonlyMap<number, number>

export function textToJson(text: string | null, type: number, elements: ElementTypes): unknown {
  if (text === null) return null
  const element = elements.get(type)
  if (element !== undefined) return parseArray(text, element, elements)
  switch (type) {
    case BOOL:
      return text === "t"
    case INT2:
    case INT4:
      return Number.parseInt(text, 10)
    case FLOAT4:
    case FLOAT8: {
      const value = Number(text)
      return Number.isFinite(value) ? value : text
    }
    case JSON_TYPE:
    case JSONB:
      return JSON.parse(text)
    default:
      return text
  }
}

/** PostgreSQL's array text (`{1,NULL,"a \"b\""}`, nested, with or without `[1:2]=` bounds) as JSON. */
function parseArray(text: string, element: number, elements: ElementTypes): unknown[] {
  let at = text.startsWith("[") ? text.indexOf("=") + 1 : 0
  const read = (): unknown[] => {
    const items: unknown[] = []
    at++ // the opening brace
    while (at < text.length && text[at] !== "}") {
      if (text[at] === ",") at++
      else if (text[at] === "{") items.push(read())
      else if (text[at] === '"') {
        let value = ""
        for (at++; text[at] !== '"'; at++) value += text[at] === "\\" ? text[++at] : text[at]
        at++
        items.push(textToJson(value, element, elements))
      } else {
        const end = text.slice(at).search(/[,}]/)
        const value = text.slice(at, at + end)
        at += end
        items.push(value === "NULL" ? null : textToJson(value, element, elements))
      }
    }
    at++ // the closing brace
    return items
  }
  return read()
}
