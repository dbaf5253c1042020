// Bytes as lowercase hex, two digits a byte: the text of SQL's X'...' literal and of bytea's \x input.
export function hex(bytes: Uint8Array): string {
  let text = ""
  for (const byte of bytes) text += byte.toString(16).padStart(2, "0")
  return text
}
