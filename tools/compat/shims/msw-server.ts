// The @libsql/client suite starts an msw server that only logs outgoing requests and mocks none the
// sqld-mode tests make; a no-op stands in for it, so msw need not be installed.
export const server = { listen() {}, resetHandlers() {}, close() {} }
