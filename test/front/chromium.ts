// Debian's Chromium for the browser tests. Playwright's own browser download needs servers this
// project's machines cannot reach; Debian's `chromium` package installs from the machine's package
// sources. Missing, it is installed here when this process may (root, apt-get); otherwise the test fails
// with a message that says how to get one.
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"

const KNOWN_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
const HOW =
  "install Debian's package (`apt-get install -y chromium`), or set CHROMIUM_PATH to a Chromium or Chrome binary"

/** The Chromium binary: CHROMIUM_PATH, or Debian's. */
export function findChromium(): string | undefined {
  const chosen = process.env.CHROMIUM_PATH
  if (chosen) return existsSync(chosen) ? chosen : undefined
  return KNOWN_PATHS.find((path) => existsSync(path))
}

/** Chromium's path, after installing Debian's package if it is missing and this process is root. */
export async function ensureChromium(): Promise<string> {
  const found = findChromium()
  if (found) return found
  if (process.env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist`)
  if (process.getuid?.() !== 0 || !existsSync("/usr/bin/apt-get")) {
    throw new Error(`The browser test needs Chromium, which is not installed: ${HOW}`)
  }
  console.info("Chromium is missing: installing Debian's chromium package with apt-get (once per machine)")
  await aptGet(["update", "-qq"])
  await aptGet(["install", "-y", "-qq", "chromium"])
  const installed = findChromium()
  if (!installed)
    throw new Error(`apt-get installed chromium but no binary is at ${KNOWN_PATHS.join(" or ")}`)
  return installed
}

function aptGet(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("apt-get", args, {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    })
    child.on("error", reject)
    child.on("exit", (code, signal) => {
      if (code === 0) resolve()
      else reject(new Error(`apt-get ${args.join(" ")} failed (${code ?? signal}): ${HOW}`))
    })
  })
}
