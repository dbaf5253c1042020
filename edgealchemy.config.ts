// The blog's migrations, for `npx edgealchemy migrate ...` (cli/): revisions in migrations/, compared
// with the blog's models by `revision --autogenerate` and `check`. The URL comes from DATABASE_URL.
import { defineConfig } from "edgealchemy/migrate"

export default defineConfig({
  migrations: "migrations",
  models: "worker/models/index.ts",
  // Revisions in this repository import the migrate API from source, as the worker imports the ORM.
  importFrom: "../src/migrate.ts",
})
