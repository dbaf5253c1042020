// A newcomer adds a field to a model and runs the app against the database as it was: every query of
// the model fails with the database's words alone ('column "bio" does not exist', 'no such column: bio',
// 'table ... has no column named bio'), which say what is missing but not that the models are ahead of
// the database, nor what to do. A missing table already said 'run createAll() or the migrations'; a
// missing column now says 'if a model declares it, autogenerate a revision and run the migrations'
// (createAll() adds no column to a table that exists). The same column misspelt in SQL by hand gets the
// same words, hence the "if".
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  model,
  ProgrammingError,
  Registry,
  String,
  select,
  text,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"

const HINT = "if a model declares it, autogenerate a revision and run the migrations"

const registry = new Registry()
class Member extends model(
  "r11nc_members",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(50)),
    // Added to the model after the table was made.
    bio: column(String(200), { nullable: true }),
  },
  { registry },
) {}

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a column the model has and the table lacks, on ${fixture.name}`, () => {
    const scope = `r11nc-column-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)

    it("fails its reads and writes saying the models are ahead and what to do", async () => {
      await engine.execute(text("DROP TABLE IF EXISTS r11nc_members"))
      await engine.execute(
        text("CREATE TABLE r11nc_members (id integer PRIMARY KEY, name varchar(50) NOT NULL)"),
      )
      await engine.execute(text("INSERT INTO r11nc_members (id, name) VALUES (1, 'ada')"))
      await using session = new AsyncSession(engine)

      const read = session.get(Member, 1)
      await expect(read).rejects.toThrow(ProgrammingError)
      await expect(read).rejects.toThrow(HINT)
      await expect(session.scalars(select(Member.c.name).where(Member.bio.isNotNull()))).rejects.toThrow(HINT)

      session.add(new Member({ id: 2, name: "bo", bio: "hi" }))
      const written = session.commit()
      await expect(written).rejects.toThrow(ProgrammingError)
      await expect(written).rejects.toThrow(HINT)
      // Nothing was written.
      const names = await engine.execute(text("SELECT name FROM r11nc_members ORDER BY id"))
      expect(names.all().map(([name]) => name)).toEqual(["ada"])
    })

    it("says the same of a column misspelt by hand, and still names createAll() for a missing table", async () => {
      await expect(engine.execute(text("SELECT nmae FROM r11nc_members"))).rejects.toThrow(`: ${HINT}`)
      const noTable = engine.execute(text("SELECT id FROM r11nc_nowhere"))
      await expect(noTable).rejects.toThrow(": run createAll() or the migrations")
      await expect(engine.execute(text("SELECT id FROM r11nc_nowhere"))).rejects.not.toThrow(HINT)
      await engine.execute(text("DROP TABLE r11nc_members"))
    })
  })
}
