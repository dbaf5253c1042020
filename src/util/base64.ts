// Bytes as base64 text (RFC 4648, padded): how JSON carries binary (an object's toJSON() of a LargeBinary
// column), a third the size of hex, and what clients decode (atob, Buffer.from(text, "base64")).
export function base64(bytes: Uint8Array): string {
  let text = ""
  for (const byte of bytes) text += String.fromCharCode(byte)
  return btoa(text)
}
