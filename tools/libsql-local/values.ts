// Hrana values on the wire and the JS values the native binding takes. Integers travel as decimal
// strings and are bound as bigint (a JS number would be bound as REAL); blobs travel as base64. The
// way back, from what the binding returns, is done on the connection's thread (connection-worker.cjs).
import { ProtocolError } from "./errors.ts"
import { object } from "./requests.ts"

export type HranaValue =
  | { type: "null" }
  | { type: "integer"; value: string }
  | { type: "float"; value: number }
  | { type: "text"; value: string }
  | { type: "blob"; base64: string }

/** A value as the native binding binds it: bigint is INTEGER, number is REAL. */
export type SqlValue = null | bigint | number | string | Uint8Array

/** Each Value type's fields besides its `type` tag. */
const VALUE_FIELDS: Record<string, string[]> = {
  null: [],
  integer: ["value"],
  float: ["value"],
  text: ["value"],
  blob: ["base64"],
}

const MIN_INT64 = -(2n ** 63n)
const MAX_INT64 = 2n ** 63n - 1n

export function valueFromProto(raw: unknown, where: string): SqlValue {
  if (typeof raw !== "object" || raw === null) throw invalid(where, "expected a Value object")
  const value = object(raw, where, ["type"])
  object(raw, where, VALUE_FIELDS[String(value.type)] ?? [])
  switch (value.type) {
    case "null":
      return null
    case "integer": {
      // sqld accepts only a decimal string here ("decimal integer as a string"), read by Rust's
      // i64::from_str: a leading + is accepted.
      if (typeof value.value !== "string" || !/^[+-]?\d+$/.test(value.value)) {
        throw invalid(where, `invalid integer ${JSON.stringify(value.value)}, expected a decimal string`)
      }
      const integer = BigInt(value.value)
      if (integer < MIN_INT64 || integer > MAX_INT64) throw invalid(where, "integer out of 64-bit range")
      return integer
    }
    case "float":
      if (typeof value.value !== "number") throw invalid(where, "float value must be a number")
      return value.value
    case "text":
      if (typeof value.value !== "string") throw invalid(where, "text value must be a string")
      return value.value
    case "blob": {
      // sqld trims the padding and decodes strictly (base64's STANDARD_NO_PAD): a length no base64 has,
      // or last bits that are not zero, is refused, where Node's decoder drops them silently.
      const unpadded = typeof value.base64 === "string" ? value.base64.replace(/=+$/, "") : undefined
      const bytes = unpadded === undefined ? undefined : Buffer.from(unpadded, "base64")
      if (!bytes || !/^[A-Za-z0-9+/]*$/.test(unpadded as string) || unpadded !== unpaddedBase64(bytes)) {
        throw invalid(where, "blob value must carry base64 text in `base64`")
      }
      return new Uint8Array(bytes)
    }
    default:
      throw invalid(where, `unknown Value type ${JSON.stringify(value.type)}`)
  }
}

function invalid(where: string, detail: string): ProtocolError {
  return new ProtocolError(`Cannot deserialize client message from JSON: ${where}: ${detail}`)
}

function unpaddedBase64(bytes: Buffer): string {
  return bytes.toString("base64").replace(/=+$/, "")
}
