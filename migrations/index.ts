// The blog's revisions, imported statically so a worker (no filesystem) can apply them too. Every
// revision file of this folder is listed here; test/node/blog-migrations.test.ts checks that none is
// missing. `npx edgealchemy migrate revision -m "..." --autogenerate` writes new ones.
import { staticRevisions } from "../src/migrate.ts"
import * as blogSchema from "./0ca22f918c2f_blog_schema.ts"
import * as usernamesUniqueInAnyCase from "./8b47bb32eb4a_usernames_unique_in_any_case.ts"
import * as idsNeverReusedOnSqlite from "./91831570c695_ids_never_reused_on_sqlite.ts"
import * as postTitleFolded from "./b31190c61520_post_title_folded.ts"
import * as idempotencyKeys from "./f44b87bce88d_idempotency_keys.ts"

export const revisions = staticRevisions([
  blogSchema,
  idempotencyKeys,
  postTitleFolded,
  usernamesUniqueInAnyCase,
  idsNeverReusedOnSqlite,
])
