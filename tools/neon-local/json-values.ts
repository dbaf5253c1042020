// Between JSON and PostgreSQL's text, both ways, as Neon's proxy converts (proxy/src/serverless/json.rs).
//
// Parameters: null is NULL, a string is sent as it is, numbers, booleans and objects as their JSON text,
// and an array as an array literal whose elements are their JSON text (`json_to_pg_text`): a string
// element keeps JSON's escapes, which PostgreSQL's array parser reads its own way (a "\n" in it arrives
// as "n"). The official driver sends every parameter as a string or null, already an array literal, so
// only a hand-written request meets this.
//
// Rows: Neon's JSON for a value when the request does not ask for raw text (no `Neon-Raw-Text-Output: true`;
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

/** A request's parameters as the text Neon hands PostgreSQL. */
export function paramsToText(params: readonly unknown[]): (string | null)[] {
  return params.map((param) => {
    if (param === null || param === undefined) return null
    if (typeof param === "string") return param
    return Array.isArray(param) ? arrayLiteral(param) : JSON.stringify(param)
  })
}

function arrayLiteral(items: readonly unknown[]): string {
  const element = (item: unknown): string => {
    if (item === null || item === undefined) return "NULL"
    if (Array.isArray(item)) return arrayLiteral(item)
    return JSON.stringify(typeof item === "object" ? JSON.stringify(item) : item)
  }
  return `{${items.map(element).join(",")}}`
}

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
  // int2vector and oidvector are arrays written without braces ("1 2"): Neon's parser finds no element.
  if (text[at] !== "{") return []
  const read = (): unknown[] => {
    const items: unknown[] = []
    at++ // the opening brace
    while (at < text.length && text[at] !== "}") {
      if (text[at] === ",") at++
      else if (text[at] === "{") items.push(read())
      else if (text[at] === '"') {
        let value = ""
        for (at++; at < text.length && text[at] !== '"'; at++)
          value += text[at] === "\\" ? text[++at] : text[at]
        at++
        items.push(textToJson(value, element, elements))
      } else {
        const found = text.slice(at).search(/[,}]/)
        const end = found < 0 ? text.length : at + found
        const value = text.slice(at, end)
        at = end
        items.push(value === "NULL" ? null : textToJson(value, element, elements))
      }
    }
    at++ // the closing brace
    return items
  }
  return read()
}
