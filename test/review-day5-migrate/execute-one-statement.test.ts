// op.execute() runs one statement. Given two, embedded libSQL ran only the first and recorded the
// revision as applied (the second statement silently lost), Neon's WebSocket ran both, and the HTTP
// transports refused them: the same revision did three different things. Now a second statement is
// refused before anything is sent, on every transport, while one statement holding semicolons (a
// trigger's body, a dollar-quoted function, strings, comments) still runs.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { InvalidRequestError, text } from "../../src/index.ts"
import { textAfterFirstStatement } from "../../src/migrate/statement-tail.ts"
import { defineRevision, Migrator } from "../../src/migrate.ts"
import {
  type MigrationDatabases,
  migrationDatabases,
  type Target,
  type TargetName,
} from "../migrate/databases.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
beforeEach(() => databases.reset())
afterAll(() => databases.stop())

const target = (name: TargetName): Target => databases.targets.find((t) => t.name === name) as Target

describe("the first statement of a SQL text", () => {
  it.each([
    ["UPDATE t SET a = 'x;y' -- ; not here\n", "sqlite"],
    ["UPDATE t SET a = 1;", "postgresql"],
    ["UPDATE t SET a = 1; ; -- trailing\n/* and ; this */", "sqlite"],
    ['UPDATE "a;b" SET [c;d] = `e;f` /* ; */', "sqlite"],
    [
      "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE u SET n = CASE WHEN 1 THEN 2 END; DELETE FROM v; END;",
      "sqlite",
    ],
    ["CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END $body$ LANGUAGE plpgsql", "postgresql"],
    ["CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END", "postgresql"],
    [
      "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO u VALUES (1); INSERT INTO u VALUES (2))",
      "postgresql",
    ],
    ["SELECT E'it\\'s;' , 'a''b;' /* nested /* ; */ ; */", "postgresql"],
    ["SELECT a$b FROM t WHERE x = $1", "postgresql"],
  ] as const)("%s is one statement (%s)", (sql, dialect) => {
    expect(textAfterFirstStatement(sql, dialect)).toBeUndefined()
  })

  it.each([
    ["INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)", "sqlite", "INSERT INTO t VALUES (2)"],
    ["INSERT INTO t VALUES (1);INSERT INTO t VALUES (2);", "postgresql", "INSERT INTO t VALUES (2);"],
    ["CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END; DROP TABLE u", "sqlite", "DROP TABLE u"],
    ["SELECT $$;$$; DROP TABLE u", "postgresql", "DROP TABLE u"],
    ["SELECT 1 /* x */; -- y\n DROP TABLE u", "sqlite", "DROP TABLE u"],
  ] as const)("%s holds a second statement (%s)", (sql, dialect, rest) => {
    expect(textAfterFirstStatement(sql, dialect)).toBe(rest)
  })
})

describe.each(["libsql-embedded", "libsql-http", "neon-websocket", "neon-http"] satisfies TargetName[])(
  "op.execute on %s",
  (name) => {
    it("refuses two statements before sending anything, and runs one holding semicolons", async () => {
      const engine = target(name).engine(`r5m-execute-${name}`)
      const twice = defineRevision({
        id: "a5e0c0000001",
        parent: null,
        message: "two statements in one execute",
        upgrade(op) {
          op.execute("CREATE TABLE r5m_log (n INTEGER)")
          op.execute("INSERT INTO r5m_log VALUES (1); INSERT INTO r5m_log VALUES (2)")
        },
        downgrade(op) {
          op.execute("DROP TABLE r5m_log")
        },
      })
      const error = await new Migrator(engine, { revisions: [twice] }).upgrade().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(InvalidRequestError)
      expect((error as Error).message).toContain("nothing was sent")
      expect((error as Error).message).toContain("call op.execute() once for each")
      expect(await new Migrator(engine, { revisions: [twice] }).current()).toEqual([])
      const tables = await engine.execute(
        text(
          target(name).dialect === "sqlite"
            ? "SELECT name FROM sqlite_master WHERE name = 'r5m_log'"
            : "SELECT tablename FROM pg_tables WHERE tablename = 'r5m_log'",
        ),
      )
      expect(tables.all()).toEqual([])

      // One statement per call, one of them with semicolons of its own: every row is there.
      const sqlite = target(name).dialect === "sqlite"
      const split = defineRevision({
        id: "a5e0c0000002",
        parent: null,
        message: "one statement per execute",
        upgrade(op) {
          op.execute("CREATE TABLE r5m_log (n INTEGER)")
          op.execute("CREATE TABLE r5m_seen (n INTEGER)")
          op.execute(
            sqlite
              ? "CREATE TRIGGER r5m_log_seen AFTER INSERT ON r5m_log BEGIN INSERT INTO r5m_seen VALUES (NEW.n); INSERT INTO r5m_seen VALUES (-NEW.n); END"
              : "CREATE FUNCTION r5m_log_seen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO r5m_seen VALUES (NEW.n); INSERT INTO r5m_seen VALUES (-NEW.n); RETURN NEW; END $$",
          )
          if (!sqlite)
            op.execute(
              "CREATE TRIGGER r5m_log_seen AFTER INSERT ON r5m_log FOR EACH ROW EXECUTE FUNCTION r5m_log_seen()",
            )
          op.execute("INSERT INTO r5m_log VALUES (1);")
          op.execute("INSERT INTO r5m_log VALUES (2) -- the second; in its own call")
        },
        downgrade() {},
      })
      const migrator = new Migrator(engine, { revisions: [split] })
      await migrator.upgrade()
      expect(await migrator.current()).toEqual(["a5e0c0000002"])
      const seen = await engine.execute(text("SELECT n FROM r5m_seen ORDER BY n"))
      expect(seen.all().map((row) => Number(row[0]))).toEqual([-2, -1, 1, 2])
    })
  },
)
