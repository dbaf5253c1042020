// The official clients' own integration tests that `npm run test:compat` runs against the local
// endpoints: which repository and which files, each pinned by the SHA-256 of its content (and the
// commit it was read at, where the index that served it named one). Their sources live in
// tools/compat/suites/ (git-ignored: see README.md), laid out as in their repositories;
// `fetch-suites.ts` puts them there from a clone of each repository.
import { createHash } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

export const SUITES_DIR = join(dirname(fileURLToPath(import.meta.url)), "suites")

export interface SuiteFile {
  path: string
  sha256: string
  /** The commit the file was read at, when known. */
  commit?: string
}

export interface Suite {
  name: "libsql" | "neon"
  /** The npm package and the version pinned in package-lock.json that the suite runs against. */
  client: string
  repository: string
  /** The licence the files are under (the repository's LICENSE file is fetched beside them). */
  license: string
  files: SuiteFile[]
  /** Test files among `files`: the ones the runner collects. */
  tests: string[]
  /** Folder of suites/ the repository's files go into. */
  folder: string
}

export const SUITES: Suite[] = [
  {
    name: "libsql",
    client: "@libsql/client@0.18.0",
    repository: "https://github.com/tursodatabase/libsql-client-ts",
    license: "MIT",
    files: [
      {
        // The newest stored version without the since-removed `migrations` module (0.18.0 has none).
        path: "packages/libsql-client/src/__tests__/client.test.ts",
        sha256: "f9144925da2866b7ca3ea84b95dde541d3c75673957c8f99cc3720167700c926",
        commit: "0868c2594bdb16e7148e5685ed3934d318e7761b",
      },
      {
        path: "packages/libsql-client/src/__tests__/helpers.ts",
        sha256: "b1a365fa4af673f32ba11eee95c8021dd232c361b234b7fd437f0295f7ec61b2",
        commit: "179a4ce8394526e5298569fd4f1b2d09e2ec4244",
      },
    ],
    tests: ["packages/libsql-client/src/__tests__/client.test.ts"],
    folder: "libsql-client-ts",
  },
  {
    name: "neon",
    client: "@neondatabase/serverless@1.2.0",
    repository: "https://github.com/neondatabase/serverless",
    license: "MIT",
    // The 1.2.0 API: `sql.query()`, connection parameters in `neon()` options (new in 1.2.0 by the
    // package's CHANGELOG). The index that served them did not name their commit: pinned by content.
    files: [
      {
        path: "tests/http.test.ts",
        sha256: "5faa567ed1d90231397ab1e7e519b2125f53924053e941a4314a2f5f411869bb",
      },
      {
        path: "tests/httpTransaction.test.ts",
        sha256: "9909b751864182c6c5f5b87e649e267e3c92543bfab099838db4aadfa747f771",
      },
      {
        path: "tests/sampleQueries.ts",
        sha256: "45b170031b499b05f7fda8859ca7af644c58c6d153809e0c50952ef18187e64a",
      },
    ],
    tests: ["tests/http.test.ts", "tests/httpTransaction.test.ts"],
    folder: "neon-serverless",
  },
]

export function suitePath(suite: Suite, file = ""): string {
  return join(SUITES_DIR, suite.folder, file)
}

export function sha256(text: Buffer | string): string {
  return createHash("sha256").update(text).digest("hex")
}

/** What is wrong with a suite's files in suites/: missing, or not the pinned content. */
export function fileProblems(suite: Suite): string[] {
  return suite.files.flatMap((file) => {
    const path = suitePath(suite, file.path)
    if (!existsSync(path)) return [`${suite.folder}/${file.path} is missing`]
    if (sha256(readFileSync(path)) !== file.sha256)
      return [`${suite.folder}/${file.path} is not the pinned version`]
    return []
  })
}
