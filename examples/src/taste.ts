// A Worker on Neon (PostgreSQL): Core tables and statements, no ORM.
import { column, createAll, func, Integer, insert, MetaData, String, select, table } from "edgealchemy"
import { createEngine } from "edgealchemy/neon" // or "edgealchemy/libsql" (Turso), "edgealchemy/libsql-node"

const metadata = new MetaData()
const users = table(
  "users",
  {
    id: column(Integer, { primaryKey: true }),
    username: column(String(50), { unique: true }),
    age: column(Integer, { nullable: true }),
  },
  { metadata },
)

export default {
  async fetch(_request: Request, env: { DATABASE_URL: string }): Promise<Response> {
    const engine = createEngine(env.DATABASE_URL) // holds no connection
    await using conn = engine.connect() // opens on first use, closes on scope exit
    await createAll(metadata, conn) // CREATE TABLE IF NOT EXISTS; an app runs migrations (below)
    const rows = [
      { username: "ada", age: 36 },
      { username: "bob", age: 15 },
    ]
    await conn.execute(insert(users).values(rows).onConflictDoNothing())
    const adults = await conn.execute(select(users.c.id, users.c.username).where(users.c.age.ge(18)))
    console.log(select(func.count()).selectFrom(users).where(users.c.age.gt(25)).toString()) // prints the SQL
    return Response.json(adults.all().map(([id, username]) => `${id}: ${username}`)) // typed [number, string]
  },
}
