// The Hono environment of the blog: its bindings and the per-request variables (the database session
// from edgealchemy/hono, the signed-in user from ../auth/require-user.ts).
import type { SessionVariables } from "../../src/hono.ts"
import type { TokenClaims } from "../auth/token.ts"
import type { Bindings } from "../env.ts"

export interface BlogEnv {
  Bindings: Bindings
  Variables: SessionVariables & { user: TokenClaims | undefined }
}
