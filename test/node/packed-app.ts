// A scratch app that depends on this checkout as a user's app depends on the published package: the
// tarball of `npm pack` (whose prepack builds dist/; packed once per test run), installed with the peer
// dependencies it needs.
// The install is offline and takes a few seconds: the app's package-lock.json pins the peers and
// everything they need to the exact versions and integrity hashes of this repository's lockfile, so
// npm takes every tarball from its cache, which `npm ci` filled. No registry is asked.
import { execFile } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { promisify } from "node:util"
import { inject } from "vitest"

const run = promisify(execFile)

/** Packing builds the package (about 5 s here); a machine shared with many test runs is far slower. */
export const INSTALL_LIMIT_MS = 240_000

/**
 * A tool run in the app (tsc on a project, a bundler, a script importing the package): seconds here,
 * many times that on a loaded machine (CI shares 2 cores).
 */
export const TOOL_LIMIT_MS = 120_000

interface LockEntry {
  version?: string
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  [field: string]: unknown
}

export interface PackedApp {
  /** The app's folder: package.json, package-lock.json and node_modules/ with the package installed. */
  readonly dir: string
  /** The files the tarball holds, as `npm pack` lists them. */
  readonly files: readonly string[]
}

/** Packs `root` into `work` and installs the tarball with `peers` into `work/app`. */
export async function installPackedApp(
  root: string,
  work: string,
  peers: readonly string[],
): Promise<PackedApp> {
  const env = withoutNpmScriptVariables()
  const packDir = inject("packDir")
  const [packed] = JSON.parse(await packOnce(root, packDir, env)) as [
    { filename: string; files: { path: string }[] },
  ]

  const dir = join(work, "app")
  mkdirSync(dir)
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>
  }
  const dependencies: Record<string, string> = { edgealchemy: `file:${join(packDir, packed.filename)}` }
  for (const name of peers)
    dependencies[name] = lockEntry(lock.packages, `node_modules/${name}`).version as string
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "app", private: true, type: "module", dependencies }, null, 2)}\n`,
  )
  writeFileSync(
    join(dir, "package-lock.json"),
    `${JSON.stringify(
      {
        name: "app",
        lockfileVersion: 3,
        requires: true,
        packages: { "": { name: "app", dependencies }, ...closure(lock.packages, peers) },
      },
      null,
      2,
    )}\n`,
  )
  try {
    await run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts"], {
      cwd: dir,
      env,
    })
  } catch (error) {
    throw new Error(
      `Installing the packed package offline failed. The peer dependencies come from the npm cache, ` +
        `which \`npm ci\` in this repository fills: run it, then the tests again.\n${String(error)}`,
    )
  }
  return { dir, files: packed.files.map((file) => file.path) }
}

/**
 * `npm pack`'s answer (its JSON), packed once per test run however many files install the package: the
 * first to ask packs into the run's folder, the others wait for its answer. Packing builds dist/
 * (prepack: `rm -rf dist && tsc`): two files packing at once paid the build twice and raced on dist/.
 */
async function packOnce(root: string, packDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const answer = join(packDir, "packed.json")
  const failure = join(packDir, "failed.txt")
  try {
    mkdirSync(join(packDir, "packing"))
  } catch {
    for (const until = Date.now() + INSTALL_LIMIT_MS; Date.now() < until; await sleep(200)) {
      if (existsSync(answer)) return readFileSync(answer, "utf8")
      if (existsSync(failure))
        throw new Error(`npm pack failed (in another test file):\n${readFileSync(failure, "utf8")}`)
    }
    throw new Error(`npm pack did not finish within ${INSTALL_LIMIT_MS} ms (in another test file)`)
  }
  try {
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", packDir], { cwd: root, env })
    // Whole or not at all: the others read it as soon as it exists.
    writeFileSync(`${answer}.partial`, stdout)
    renameSync(`${answer}.partial`, answer)
    return stdout
  } catch (error) {
    writeFileSync(failure, String(error))
    throw error
  }
}

/**
 * The lockfile entries of `names` and of everything they depend on, at the same paths (so nested
 * copies stay nested), with the repository's dev/peer flags dropped: in the app they are dependencies.
 */
function closure(packages: Record<string, LockEntry>, names: readonly string[]): Record<string, LockEntry> {
  const entries: Record<string, LockEntry> = {}
  const visit = (path: string) => {
    if (entries[path]) return
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lockEntry(packages, path)
    entries[path] = entry
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      const found = resolveFrom(packages, path, name)
      if (found) visit(found)
    }
  }
  for (const name of names) visit(`node_modules/${name}`)
  return entries
}

/** Node's lookup in lockfile paths: `a/node_modules/b/node_modules/x`, then `a/node_modules/x`, then `node_modules/x`. */
function resolveFrom(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  for (let dir = from; ; ) {
    const candidate = `${dir}/node_modules/${name}`
    if (packages[candidate]) return candidate
    const parent = dir.lastIndexOf("/node_modules/")
    if (parent === -1) return packages[`node_modules/${name}`] ? `node_modules/${name}` : undefined
    dir = dir.slice(0, parent)
  }
}

function lockEntry(packages: Record<string, LockEntry>, path: string): LockEntry {
  const entry = packages[path]
  if (!entry) throw new Error(`package-lock.json has no ${path}`)
  return entry
}

/** npm passes its configuration to scripts as npm_* variables; the app's own npm must not inherit them. */
function withoutNpmScriptVariables(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)))
}
