// `npm run lint` step: prints every import that breaks a layer rule of shared/DESIGN.md and fails.
import { checkLayers, formatViolations } from "./index.ts"
import { readProjectSources } from "./project-sources.ts"

const violations = checkLayers(readProjectSources(process.cwd()))
if (violations.length > 0) {
  console.error(`Layer rules broken (shared/DESIGN.md):\n${formatViolations(violations)}`)
  process.exit(1)
}
console.log("layer rules hold")
