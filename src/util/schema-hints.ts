// What the drivers add to the database's own words when a table or a column is missing: the likely
// cause in an app, models ahead of the database, and what to do. A revision that fails so is the
// migrations themselves, where the words would mislead: ../migrate/errors.ts takes them off again.

/** A table never created. */
export const NO_TABLE_HINT = ": run createAll() or the migrations"

/** A column a model gained since the table was made, or one misspelt in SQL by hand (hence the "if"). */
export const NO_COLUMN_HINT = ": if a model declares it, autogenerate a revision and run the migrations"
