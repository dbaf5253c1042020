// Bearer tokens are standard JWTs (RFC 7519), signed and checked with HS256 by hono/jwt under
// AUTH_SECRET: `{sub, name, iat, exp}`, `sub` the user id as a string (RFC 7519 wants a StringOrURI)
// and `exp`/`iat` in seconds since the epoch. Stateless, so checking one costs no database round trip;
// any JWT library reads them (`jose.jwtVerify(token, secret)`, jwt.io).
import { sign, verify } from "hono/jwt"

export const TOKEN_LIFETIME_SECONDS = 24 * 60 * 60
const ALGORITHM = "HS256"

/** What a valid token says, as the routes read it (`c.var.user`). */
export interface TokenClaims {
  /** The user id. */
  sub: number
  /** The username, so a response can name its author without a query. */
  name: string
  /** Expiry, in seconds since the epoch (JWT's NumericDate). */
  exp: number
}

export function signToken(claims: TokenClaims, secret: string): Promise<string> {
  const issuedAt = Math.floor(Date.now() / 1000)
  return sign(
    { sub: String(claims.sub), name: claims.name, iat: issuedAt, exp: claims.exp },
    secret,
    ALGORITHM,
  )
}

/** The claims of a genuine, unexpired HS256 token; undefined for anything else. */
export async function verifyToken(token: string, secret: string): Promise<TokenClaims | undefined> {
  let payload: Record<string, unknown>
  try {
    // Checks the header's alg (no `none`, no algorithm swap), the signature, exp, nbf and iat.
    payload = await verify(token, secret, ALGORITHM)
  } catch {
    // hono/jwt throws one error class per defect (JwtTokenExpired, JwtTokenSignatureMismatched...):
    // to the client they are all the same 401.
    return undefined
  }
  const { sub, name, exp } = payload
  // verify() skips `exp` when a token has none: ours always carry one, so one without it is not ours.
  if (typeof exp !== "number" || typeof name !== "string") return undefined
  if (typeof sub !== "string" || !/^[1-9][0-9]{0,14}$/.test(sub)) return undefined
  return { sub: Number(sub), name, exp }
}
