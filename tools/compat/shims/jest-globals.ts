// The official @libsql/client suite is written for Jest; under Vitest its `@jest/globals` import is
// Vitest's own `expect` (the matchers it uses behave alike).
export { expect } from "vitest"
