// Starts ./servers.ts in a child process (`node --import tsx`, from the repository's root) and reads the
// addresses it prints; `stop` closes its stdin, which stops it (and kills it if it does not go).
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { BenchmarkError } from "../support/benchmark-error.ts"
import type { Servers } from "./servers.ts"

const ROOT = fileURLToPath(new URL("../../../", import.meta.url))

/** The servers' child process; resolves once it printed its addresses. */
export async function startServers(
  delayMs: number,
  scopes: readonly string[],
): Promise<{ servers: Servers; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", "tools/bench/latency/servers.ts"], {
    cwd: ROOT,
    env: { ...process.env, BENCH_DELAY_MS: String(delayMs), BENCH_SCOPES: scopes.join(",") },
    stdio: ["pipe", "pipe", "inherit"],
  })
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const servers = await new Promise<Servers>((resolve, reject) => {
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      const line = output.split("\n")[0]
      if (output.includes("\n") && line) resolve(JSON.parse(line) as Servers)
    })
    child.once("exit", (code) =>
      reject(new BenchmarkError(`the benchmark's servers exited (${code}) before starting`)),
    )
  })
  return {
    servers,
    stop: async () => {
      child.stdin.end()
      const timeout = setTimeout(() => child.kill("SIGKILL"), 5_000)
      await exited
      clearTimeout(timeout)
    },
  }
}
