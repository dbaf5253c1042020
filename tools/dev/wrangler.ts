// Runs `wrangler dev` for the blog on 127.0.0.1:8787 with the database variables of this run, and
// waits until the worker answers.
import { type ChildProcess, spawn } from "node:child_process"

export const BLOG_URL = "http://127.0.0.1:8787"

export function startWranglerDev(vars: Readonly<Record<string, string>>): ChildProcess {
  const args = [
    "wrangler",
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    "8787",
    "--show-interactive-dev-session=false",
  ]
  for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`)
  return spawn("npx", args, {
    stdio: ["ignore", "inherit", "inherit"],
    // No internet here: wrangler would otherwise try to send metrics and fetch `cf` data on every start.
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    detached: true,
  })
}

/** Polls GET /health until the worker answers; returns the time of the first answer (the isolate's start). */
export async function waitForBlog(child: ChildProcess, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`)
    const started = performance.now()
    try {
      const response = await fetch(`${BLOG_URL}/health`)
      await response.arrayBuffer()
      return performance.now() - started
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
  throw new Error(`wrangler dev did not answer at ${BLOG_URL} within ${timeoutMs / 1000} s`)
}

/** Stops wrangler dev and the workerd it started (its process group), waiting for it to exit. */
export async function stopWrangler(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return
  const exited = new Promise((resolve) => child.once("exit", resolve))
  try {
    process.kill(-child.pid, "SIGTERM")
  } catch {
    child.kill("SIGTERM")
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-(child.pid as number), "SIGKILL")
    } catch {}
  }, 5000)
  await exited
  clearTimeout(timer)
}
