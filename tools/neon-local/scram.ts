// The client side of SCRAM-SHA-256 (RFC 5802, RFC 7677), for an upstream PostgreSQL that asks for it.
// Pure functions over the three messages, so the math is checked against the RFC's own example.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto"

export interface ScramSession {
  clientNonce: string
  /** `n=<user>,r=<nonce>`; PostgreSQL ignores the user name here and expects `*`. */
  clientFirstBare: string
}

export function startScram(clientNonce = randomBytes(18).toString("base64"), user = "*"): ScramSession {
  return { clientNonce, clientFirstBare: `n=${user},r=${clientNonce}` }
}

/** The client-first message (no channel binding). */
export function clientFirstMessage(session: ScramSession): string {
  return `n,,${session.clientFirstBare}`
}

/** The client-final message for the server-first one, and the signature the server must answer with. */
export function clientFinalMessage(
  session: ScramSession,
  password: string,
  serverFirst: string,
): { message: string; serverSignature: string } {
  const fields = attributes(serverFirst)
  const nonce = fields.get("r")
  const salt = fields.get("s")
  const iterations = Number(fields.get("i"))
  if (!nonce?.startsWith(session.clientNonce) || nonce === session.clientNonce) {
    throw new Error("SCRAM: the server's nonce does not extend the client's")
  }
  if (!salt || !Number.isInteger(iterations) || iterations < 1) {
    throw new Error("SCRAM: the server-first message lacks a salt or an iteration count")
  }
  const salted = pbkdf2Sync(password.normalize("NFKC"), Buffer.from(salt, "base64"), iterations, 32, "sha256")
  const clientKey = hmac(salted, "Client Key")
  const storedKey = createHash("sha256").update(clientKey).digest()
  const withoutProof = `c=biws,r=${nonce}`
  const authMessage = `${session.clientFirstBare},${serverFirst},${withoutProof}`
  const signature = hmac(storedKey, authMessage)
  const proof = Buffer.from(clientKey.map((byte, i) => byte ^ (signature[i] as number)))
  return {
    message: `${withoutProof},p=${proof.toString("base64")}`,
    serverSignature: hmac(hmac(salted, "Server Key"), authMessage).toString("base64"),
  }
}

/** Whether the server-final message proves the server knew the password too. */
export function serverFinalIsValid(serverFinal: string, expectedSignature: string): boolean {
  const given = Buffer.from(attributes(serverFinal).get("v") ?? "", "base64")
  const expected = Buffer.from(expectedSignature, "base64")
  return given.length === expected.length && timingSafeEqual(given, expected)
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac("sha256", key).update(text).digest()
}

function attributes(message: string): Map<string, string> {
  return new Map(message.split(",").map((pair) => [pair.slice(0, 1), pair.slice(2)] as [string, string]))
}
