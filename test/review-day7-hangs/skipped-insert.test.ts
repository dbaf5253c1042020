// New objects whose INSERT a trigger skips (SQLite's RAISE(IGNORE), a PostgreSQL BEFORE trigger that
// returns NULL): no row comes back for them. The flush gave the returned rows to its new objects by
// order, so with the first skipped, the first object took the second's row (its key, and its values over
// its own) and the second stayed pending with no key; commit() said done. Now no object is given a row
// that may be another's: after an atomic commit the new objects without a row are detached and commit()
// raises CommittedButUnreadableError ("applied: do not retry it"); inside a transaction the flush fails
// and is rolled back, as SQLAlchemy raises FlushError there.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  CommittedButUnreadableError,
  type Engine,
  InvalidRequestError,
  inspect,
  text,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshTables } from "./fresh-tables.ts"
import { hangModels } from "./models.ts"

const { Note, registry, tableName } = hangModels("d7h_skip")

async function skipTrigger(engine: Engine, dialect: "postgresql" | "sqlite"): Promise<void> {
  if (dialect === "sqlite") {
    await engine.execute(
      text(
        `CREATE TRIGGER ${tableName}_skip BEFORE INSERT ON ${tableName} WHEN NEW.body = 'skip' BEGIN SELECT RAISE(IGNORE); END`,
      ),
    )
    return
  }
  await engine.execute(
    text(
      `CREATE OR REPLACE FUNCTION ${tableName}_skip() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.body = 'skip' THEN RETURN NULL; END IF; RETURN NEW; END $$`,
    ),
  )
  await engine.execute(
    text(
      `CREATE TRIGGER ${tableName}_skip BEFORE INSERT ON ${tableName} FOR EACH ROW EXECUTE FUNCTION ${tableName}_skip()`,
    ),
  )
}

const stored = async (engine: Engine) =>
  (await engine.execute(text(`SELECT body FROM ${tableName} ORDER BY id`))).all().map(([body]) => body)

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`an INSERT a trigger skips, on ${fixture.name}`, () => {
    const engine = fixture.engine(`d7h-skip-${fixture.name}`)

    it("after an atomic commit: no object takes another's row; the commit says what happened", async () => {
      await freshTables(engine, registry.metadata)
      await skipTrigger(engine, fixture.dialect)
      await using session = new AsyncSession(engine)
      const skipped = new Note({ body: "skip" })
      const kept = new Note({ body: "keep" })
      session.add(skipped)
      session.add(kept)
      const failure = await session.commit().catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(CommittedButUnreadableError)
      expect((failure as Error).message).toMatch(
        /^The commit was applied: do not retry it\. But the rows the database returned do not match 2 new /,
      )
      expect(skipped.body).toBe("skip")
      expect(inspect(skipped).state).toBe("detached")
      expect(inspect(kept).state).toBe("detached")
      // Nothing left for the next commit to write again.
      await session.commit()
      expect(await stored(engine)).toEqual(["keep"])
    })

    it("inside a transaction: the flush fails and is rolled back", async () => {
      await freshTables(engine, registry.metadata)
      await skipTrigger(engine, fixture.dialect)
      await using session = new AsyncSession(engine)
      const skipped = new Note({ body: "skip" })
      session.add(skipped)
      session.add(new Note({ body: "keep" }))
      await session.begin()
      const failure = await session.flush().catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(InvalidRequestError)
      expect((failure as Error).message).toMatch(
        /^The flush was rolled back: the rows the database returned do not match 2 new /,
      )
      expect(inspect(skipped).state).toBe("pending")
      await session.rollback()
      expect(await stored(engine)).toEqual([])
    })
  })
}
