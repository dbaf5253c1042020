// `.dev.vars` holds the local secrets wrangler dev reads. A fresh clone has none: it is made from the
// committed `.dev.vars.example` with a random AUTH_SECRET, so `npm run dev` needs no setup.
import { randomBytes } from "node:crypto"
import { existsSync, readFileSync, writeFileSync } from "node:fs"

export function ensureDevVars(path = ".dev.vars", example = ".dev.vars.example"): Record<string, string> {
  if (!existsSync(path)) {
    const template = readFileSync(example, "utf8")
    const secret = randomBytes(32).toString("base64url")
    writeFileSync(path, template.replace(/^AUTH_SECRET=.*$/m, `AUTH_SECRET=${secret}`))
    console.log(`Created ${path} from ${example} (a random AUTH_SECRET).`)
  }
  return parseDevVars(readFileSync(path, "utf8"))
}

function parseDevVars(text: string): Record<string, string> {
  const vars: Record<string, string> = {}
  for (const line of text.split("\n")) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/i.exec(line)
    if (!match || line.trimStart().startsWith("#")) continue
    vars[match[1] as string] = (match[2] as string).replace(/^"(.*)"$/, "$1")
  }
  return vars
}
