// `edgealchemy migrate --help` prints the usage and succeeds; a wrong command prints it and fails.
import { expect, it } from "vitest"
import { main } from "../../cli/main.ts"

function run(argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const io = {
    cwd: process.cwd(),
    env: {},
    out: (line: string) => out.push(line),
    err: (line: string) => err.push(line),
  }
  return main(argv, io).then((code) => ({ code, out: out.join("\n"), err: err.join("\n") }))
}

it("prints the usage on --help, -h and help, with exit code 0", async () => {
  for (const argv of [["migrate", "--help"], ["--help"], ["migrate", "upgrade", "-h"], ["help"]]) {
    const { code, out } = await run(argv)
    expect(code).toBe(0)
    expect(out).toMatch(/^Usage: edgealchemy migrate <command>/)
  }
})

it("answers an unknown command with the usage and exit code 2", async () => {
  const { code, err } = await run(["migrate", "upgrayedd"])
  expect(code).toBe(2)
  expect(err).toMatch(/Unknown command "upgrayedd"[\s\S]*Usage:/)
})
