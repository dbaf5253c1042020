// Serves the blog worker over HTTP on 127.0.0.1 inside workerd (Miniflare), as `wrangler dev` would:
// bundled by esbuild with the conditions wrangler uses, with the given bindings. For tests that need a
// real HTTP origin, such as a browser's.
import { resolve } from "node:path"
import { build } from "esbuild"
import { Miniflare } from "miniflare"
import type { Bindings } from "../../worker/env.ts"

const ENTRY = resolve(import.meta.dirname, "../../worker/index.ts")
// As in wrangler.toml: the newest date this workerd accepts is 2026-05-03 (see FACTS).
const COMPATIBILITY_DATE = "2026-04-01"

export interface ServedWorker {
  /** `http://127.0.0.1:PORT/` */
  url: URL
  stop(): Promise<void>
}

export async function serveWorker(bindings: Bindings): Promise<ServedWorker> {
  const bundle = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    write: false,
    logLevel: "warning",
  })
  const contents = bundle.outputFiles[0]?.text ?? ""
  const miniflare = new Miniflare({
    modules: [{ type: "ESModule", path: "worker.js", contents }],
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { ...bindings },
    host: "127.0.0.1",
    port: 0,
    cf: false,
  })
  const url = await miniflare.ready
  return { url, stop: () => miniflare.dispose() }
}
