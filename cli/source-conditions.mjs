// A module-resolution hook for running the CLI from a checkout (see edgealchemy.mjs): it adds the
// `edgealchemy-source` condition, so that `edgealchemy`, `edgealchemy/migrate`, ... resolve to the
// package's TypeScript sources (package.json `exports`), the modules the repository's models import.
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, "edgealchemy-source"] })
}
