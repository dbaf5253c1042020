// edgealchemy.config.ts, beside package.json: what `npx edgealchemy migrate` reads.
import { defineConfig } from "edgealchemy/migrate"

export default defineConfig({
  migrations: "migrations", // the revisions folder (the default)
  models: "src/models.ts", // exports the models' `metadata` (or their `registry`)
  url: "DATABASE_URL", // the environment variable with the database URL (the default)
})
