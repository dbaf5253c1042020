// A model's definition, checked the first time a flush writes it, where reads pay nothing for it: its
// columns' options (../../sql/schema/column-checks.ts), which model() and column() take as given, and
// its versionId column, which must count (SQLAlchemy's version_id_col needs a version_id_generator for
// anything else; there is none here). A Text version column failed each INSERT on its NOT NULL.
import { InvalidRequestError } from "../../errors.ts"
import { checkTableColumns } from "../../sql/schema/column-checks.ts"
import type { Mapper } from "../mapper.ts"
import type { InstanceState } from "../state.ts"

const checked = new WeakSet<Mapper>()

export function checkModels(states: Iterable<InstanceState>): void {
  for (const { mapper } of states) {
    if (checked.has(mapper)) continue
    checkTableColumns(mapper.table)
    const version = mapper.versionColumn
    if (version && !version.type.isInteger) {
      throw new InvalidRequestError(
        `${mapper.name}'s versionId names ${version.key}, a ${version.type.kind} column: a version column is an Integer (or BigInteger), counted up by each UPDATE`,
      )
    }
    checked.add(mapper)
  }
}
