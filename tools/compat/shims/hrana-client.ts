// The suite imports `fetch` from @libsql/hrana-client, which exported @libsql/isomorphic-fetch's until
// 0.9; 0.10 (the one @libsql/client 0.18.0 uses) dropped it for the global fetch. Same function here.
// @ts-expect-error: the alias points this bare name at the real package's file (see libsql.ts).
export * from "@libsql/hrana-client/real"
export const fetch: typeof globalThis.fetch = (...args) => globalThis.fetch(...args)
