// PostgreSQL's reserved keywords, for SQL meant to read as people write it (a revision's CHECK text);
// the compiler itself quotes every name and needs none of them.
import { RESERVED, reservedWords } from "../../sql/compiler/identifiers.ts"

/** PostgreSQL's reserved keywords (catcode R and T; system_user since PostgreSQL 16) beyond those SQLite refuses too. */
export const POSTGRES_RESERVED = /* @__PURE__ */ reservedWords(
  RESERVED,
  "analyse any array asymmetric authorization binary both collation concurrently current_catalog current_role " +
    "current_schema current_user false fetch freeze grant ilike lateral leading localtime localtimestamp only " +
    "overlaps placing session_user similar some symmetric system_user tablesample trailing true user variadic verbose",
)
