// A Turso database reached without its auth token (the newcomer's createEngine(env.DATABASE_URL) with no
// { authToken }), or with a wrong or rotated one, failed with the client's words alone:
// "ConnectionError: SERVER_ERROR: Server returned HTTP status 401", which reads as a server in trouble.
// The message now says the token is missing or refused and names the option; it stays a
// ConnectionError (nothing ran), which the Hono handler answers as a refusal of credentials.
import { expect, inject, it } from "vitest"
import { ConnectionError, Integer, literal, select } from "../../src/index.ts"
import { createEngine } from "../../src/libsql.ts"
import { libsqlHttpFixture } from "../engine/transports.ts"

const fixture = libsqlHttpFixture()
const one = select(literal(1, Integer).label("one"))

it.each([
  ["no token", () => createEngine(`${inject("libsql").url}/s/r8nc-token/`)],
  ["a wrong token", () => fixture.engine("r8nc-token", { wrongCredentials: true })],
])("with %s, says the token is missing or refused", async (_, engine) => {
  const error = await engine()
    .execute(one)
    .then(
      () => undefined,
      (caught: unknown) => caught,
    )
  expect(error).toBeInstanceOf(ConnectionError)
  expect((error as Error).message).toBe(
    "SERVER_ERROR: Server returned HTTP status 401: the auth token is missing or refused (authToken)",
  )
  // With the right one, the same endpoint answers.
  expect((await fixture.engine("r8nc-token").execute(one)).scalar()).toBe(1)
})
