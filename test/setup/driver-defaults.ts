// The files of a worker share one module graph (`isolate: false`, vitest.config.ts), and with it the
// Neon driver's process-wide defaults (`neonConfig`), which many files point at an endpoint of their
// own. Each file starts from the driver's own defaults, as it did when it had a module graph of its own:
// they are read once, before any file changed them, and put back before each file is loaded (Vitest runs
// setup files again before every file).
import { neonConfig } from "@neondatabase/serverless"

const SETTINGS = [
  "fetchEndpoint",
  "fetchFunction",
  "wsProxy",
  "useSecureWebSocket",
  "pipelineTLS",
  "pipelineConnect",
  "coalesceWrites",
  "webSocketConstructor",
  "poolQueryViaFetch",
  "forceDisablePgSSL",
  "disableSNI",
] as const

type Settings = Record<(typeof SETTINGS)[number], unknown>

const DEFAULTS = Symbol.for("edgealchemy.test.neonConfigDefaults")
const held = globalThis as { [DEFAULTS]?: Settings }
const config = neonConfig as unknown as Settings
held[DEFAULTS] ??= Object.fromEntries(SETTINGS.map((setting) => [setting, config[setting]])) as Settings
for (const setting of SETTINGS) config[setting] = held[DEFAULTS][setting]
