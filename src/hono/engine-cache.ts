// Engines are configuration, not connections: one per database URL serves every request of an isolate.
// The cache only saves rebuilding drivers; it never holds a connection.
import type { Engine } from "../engine/engine.ts"

/**
 * `const engines = engineCache((env: Env) => env.DATABASE_URL, (env) => createEngine(env.DATABASE_URL))`;
 * `engines.get(c.env)` returns the same engine for the same key. The key must hold everything `make`
 * reads (the URL, an auth token): a changed value under the same key keeps the engine made before.
 */
export function engineCache<T>(key: (source: T) => string, make: (source: T) => Engine) {
  const engines = new Map<string, Engine>()
  return {
    get(source: T): Engine {
      const name = key(source)
      let engine = engines.get(name)
      if (!engine) {
        engine = make(source)
        engines.set(name, engine)
      }
      return engine
    },
  }
}
