// The engine for the configured URL, with the driver its scheme calls for, and the models' metadata.
import { isAbsolute, resolve } from "node:path"
import { defaultRegistry, type Engine, type MetaData } from "edgealchemy"
import { CliError, type LoadedConfig } from "./config.ts"
import { importModule } from "./revisions-folder.ts"

export function databaseUrl(config: LoadedConfig, env: NodeJS.ProcessEnv): string {
  const variable = config.url ?? "DATABASE_URL"
  const url = env[variable]
  if (!url)
    throw new CliError(`Set ${variable} to the database URL (postgresql://..., libsql://..., file:...)`)
  return url
}

export async function engineFor(config: LoadedConfig, env: NodeJS.ProcessEnv, cwd: string): Promise<Engine> {
  const url = inFolder(databaseUrl(config, env), cwd)
  if (/^postgres(ql)?:/i.test(url)) {
    const { createEngine } = await driverEntry(
      url,
      () => import("edgealchemy/neon"),
      "@neondatabase/serverless",
    )
    return createEngine(url, config.neon ?? {})
  }
  const authToken = env[config.authToken ?? "DATABASE_AUTH_TOKEN"]
  const options = { ...config.libsql, ...(authToken ? { authToken } : {}) }
  if (/^(file:|:memory:)/i.test(url)) {
    const { createEngine } = await driverEntry(url, () => import("edgealchemy/libsql-node"), "@libsql/client")
    return createEngine(url, options)
  }
  if (/^(libsql|https?|wss?):/i.test(url)) {
    const { createEngine } = await driverEntry(url, () => import("edgealchemy/libsql"), "@libsql/client")
    return createEngine(url, options)
  }
  throw new CliError(
    `Unsupported database URL scheme in ${url.split(":")[0]}: use postgresql://, libsql://, https:// or file:`,
  )
}

/**
 * A `file:` URL with a relative path (`file:app.db`) names a file in the folder the command runs in,
 * main's `cwd`: the embedded driver would take it from the process's own folder, which is the same one
 * for the bin, but not for main() run in a process of another folder. (The path stays percent-encoded,
 * as the driver's URL parser decodes it.)
 */
function inFolder(url: string, cwd: string): string {
  const [, path = "", rest = ""] = /^file:([^?#]*)(.*)$/is.exec(url) ?? []
  if (path === "" || path.startsWith("/") || path === ":memory:") return url
  let decoded: string
  try {
    decoded = decodeURIComponent(path)
  } catch {
    return url // the driver names the bad encoding
  }
  if (isAbsolute(decoded)) return url
  return `file:${resolve(cwd, decoded).split("/").map(encodeURIComponent).join("/")}${rest}`
}

/** A driver entry point, whose driver package the project installs (`npm i edgealchemy @libsql/client`). */
async function driverEntry<T>(url: string, load: () => Promise<T>, driverPackage: string): Promise<T> {
  try {
    return await load()
  } catch (error) {
    if (String((error as Error | undefined)?.message).includes(`Cannot find package '${driverPackage}'`)) {
      const scheme = url.split(":")[0]
      throw new CliError(`A ${scheme}: URL needs the driver ${driverPackage}: npm i ${driverPackage}`)
    }
    throw error
  }
}

/** The dialect a URL speaks, without connecting (for `sql`). */
export function dialectOfUrl(url: string): "postgresql" | "sqlite" {
  return /^postgres(ql)?:/i.test(url) ? "postgresql" : "sqlite"
}

export async function loadMetadata(config: LoadedConfig): Promise<MetaData> {
  if (!config.models) {
    throw new CliError(
      'Name the models module in the config ({ models: "src/models.ts" }) for autogenerate and check',
    )
  }
  const path = resolve(config.root, config.models)
  const module = await importModule(path).catch((error: unknown) => {
    // `migrate init` names src/models.ts, which a new project may not have yet (a module the models
    // import that is missing is the models' own error, and stays as it is).
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
    if (code === "ERR_MODULE_NOT_FOUND" && String(message).includes(`module '${path}'`)) {
      throw new CliError(
        `The config's models module ${config.models} does not exist (${path}): write it, or point \`models\` at the module that exports your models' metadata`,
      )
    }
    throw error
  })
  const candidates = [
    module.metadata,
    (module.registry as { metadata?: unknown } | undefined)?.metadata,
    module.default,
  ]
  const found = candidates.find(isMetaData)
  if (found) return found
  // Models declared without `{ registry }` join the default one, which this process shares with the
  // models module (one module graph, see edgealchemy.mjs): importing the module registered them.
  if (defaultRegistry.metadata.tables.length > 0) return defaultRegistry.metadata
  throw new CliError(
    `${path} exports neither \`metadata\` (a MetaData) nor \`registry\` (a Registry), and declares no model: ` +
      "export the models' metadata, or the registry they are declared in",
  )
}

function isMetaData(value: unknown): value is MetaData {
  return typeof value === "object" && value !== null && "tables" in value && "table" in value
}
