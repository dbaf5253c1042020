// Bearer tokens: `PAYLOAD.SIGNATURE`, the payload base64url JSON `{sub, name, exp}` and the signature an
// HMAC-SHA256 of it with AUTH_SECRET. Stateless, so checking one costs no database round trip.
import { fromBase64Url, toBase64Url, utf8 } from "./encoding.ts"

export const TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000

export interface TokenClaims {
  /** The user id. */
  sub: number
  /** The username, so a response can name its author without a query. */
  name: string
  /** Expiry, in milliseconds since the epoch. */
  exp: number
}

export async function signToken(claims: TokenClaims, secret: string): Promise<string> {
  const payload = toBase64Url(utf8.encode(JSON.stringify(claims)))
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(secret), utf8.encode(payload))
  return `${payload}.${toBase64Url(new Uint8Array(signature))}`
}

/** The claims of a genuine, unexpired token; undefined for anything else. */
export async function verifyToken(
  token: string,
  secret: string,
  now = Date.now(),
): Promise<TokenClaims | undefined> {
  const [payload, signature, extra] = token.split(".")
  if (!payload || !signature || extra !== undefined) return undefined
  const signatureBytes = fromBase64Url(signature)
  const payloadBytes = fromBase64Url(payload)
  if (!signatureBytes || !payloadBytes) return undefined
  const genuine = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(secret),
    signatureBytes,
    utf8.encode(payload),
  )
  if (!genuine) return undefined
  const claims = parseClaims(payloadBytes)
  return claims && claims.exp > now ? claims : undefined
}

function parseClaims(bytes: Uint8Array): TokenClaims | undefined {
  try {
    const value = JSON.parse(utf8.decode(bytes)) as Partial<TokenClaims>
    const valid =
      Number.isInteger(value.sub) && typeof value.name === "string" && typeof value.exp === "number"
    return valid ? (value as TokenClaims) : undefined
  } catch {
    return undefined
  }
}

function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", utf8.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ])
}
