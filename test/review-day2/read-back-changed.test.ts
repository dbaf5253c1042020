// A flush leaves text it wrote out of RETURNING (8291e70: megabyte documents made answers past the
// 10 MB limit). The database may keep something else than what was written: a BEFORE trigger on
// PostgreSQL that normalizes it (lowercases an email) or derives a column the UPDATE did not write. The object then kept what it sent
// while the row held the trigger's value, and with expireOnCommit false (the default) the identity map
// went on saying so: a later query handed out the same object with the unnormalized value.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  model,
  Registry,
  String,
  select,
  Text,
  text,
} from "../../src/index.ts"
import { neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Member extends model(
  "rd_members",
  {
    id: column(Integer, { primaryKey: true }),
    email: column(String(120)),
    note: column(Text, { nullable: true }),
  },
  { registry },
) {}
registry.registerModels(Member)

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws)]) {
  describe(`values a PostgreSQL trigger changes, on ${fixture.name}`, () => {
    const engine = fixture.engine(`rd-read-back-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    const withTrigger = async () => {
      await using session = new AsyncSession(engine)
      await session.execute(
        text(
          "CREATE OR REPLACE FUNCTION rd_members_normalize() RETURNS trigger AS $$ BEGIN NEW.email := lower(NEW.email); NEW.note := 'for ' || NEW.email; RETURN NEW; END $$ LANGUAGE plpgsql",
        ),
      )
      await session.execute(text("DROP TRIGGER IF EXISTS rd_members_normalize ON rd_members"))
      await session.execute(
        text(
          "CREATE TRIGGER rd_members_normalize BEFORE INSERT OR UPDATE ON rd_members FOR EACH ROW EXECUTE FUNCTION rd_members_normalize()",
        ),
      )
      await session.commit()
    }

    it("an INSERT and an UPDATE leave the object holding what the row holds", async () => {
      await withTrigger()
      await using session = new AsyncSession(engine)
      const member = new Member({ email: "Ann@Example.COM" })
      session.add(member)
      await session.commit()
      expect([member.email, member.note]).toEqual(["ann@example.com", "for ann@example.com"])

      member.email = "ANN@Other.org"
      await session.commit()
      // note was not written: the object held it as the row did before the UPDATE, not after.
      expect([member.email, member.note]).toEqual(["ann@other.org", "for ann@other.org"])
      // The identity map hands out the same object: it must not keep a value no row has.
      const found = await session.scalars(select(Member).where(Member.email.eq("ann@other.org")))
      expect(found.one()).toBe(member)
      expect(member.email).toBe("ann@other.org")
    })
  })
}
