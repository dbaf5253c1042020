// Salted PBKDF2-SHA256 password hashes with WebCrypto, stored as `pbkdf2-sha256$ITERATIONS$SALT$HASH`.
// 100,000 iterations is the most workerd's WebCrypto accepts; the count is stored with each hash so it
// can change without invalidating old ones.
import { fromBase64Url, toBase64Url, utf8 } from "./encoding.ts"

const ITERATIONS = 100_000
const SCHEME = "pbkdf2-sha256"

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16))
  const hash = await derive(password, salt, ITERATIONS)
  return [SCHEME, ITERATIONS, toBase64Url(salt), toBase64Url(hash)].join("$")
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iterations, salt, hash] = stored.split("$")
  const saltBytes = fromBase64Url(salt ?? "")
  const expected = fromBase64Url(hash ?? "")
  const rounds = Number(iterations)
  if (scheme !== SCHEME || !saltBytes || !expected || !Number.isInteger(rounds) || rounds < 1) return false
  const actual = await derive(password, saltBytes, rounds)
  return constantTimeEqual(actual, expected)
}

/** Spends the time of a real check, so an unknown username answers as slowly as a wrong password. */
export async function burnPasswordCheck(password: string): Promise<void> {
  await derive(password, new Uint8Array(16), ITERATIONS)
}

async function derive(
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", utf8.encode(password), "PBKDF2", false, ["deriveBits"])
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256)
  return new Uint8Array(bits)
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number)
  return difference === 0
}
