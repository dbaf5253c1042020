// The migrate commands. Each returns its exit code; output is one line per thing a person wants to
// know: each revision applied with its duration, where the database ends up.
import { mkdirSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import { postgresql, sqlite } from "edgealchemy"
import { Migrator, newRevisionId, type StepEvent, writeRevision } from "edgealchemy/migrate"
import type { Arguments } from "./arguments.ts"
import { CliError, type LoadedConfig } from "./config.ts"
import { dialectOfUrl, engineFor, loadMetadata } from "./database.ts"
import { describeOperation } from "./describe.ts"
import { init } from "./init.ts"
import type { CliIo } from "./main.ts"
import { revisionExtension, revisionFileName, revisionsFolder } from "./revisions-folder.ts"

type Command = (args: Arguments, config: LoadedConfig, io: CliIo) => Promise<number>

async function migratorFor(config: LoadedConfig, io: CliIo, offline = false): Promise<Migrator> {
  const options = {
    revisions: revisionsFolder(config.migrationsFolder),
    ...(config.versionTable ? { versionTable: config.versionTable } : {}),
    onStep: (event: StepEvent) => io.out(stepLine(event)),
  }
  if (offline) {
    // Rendering needs only the dialect, which the URL's scheme tells without connecting.
    const url = io.env[config.url ?? "DATABASE_URL"] ?? ""
    return new Migrator(dialectOfUrl(url) === "postgresql" ? postgresql : sqlite, options)
  }
  return new Migrator(await engineFor(config, io.env, io.cwd), options)
}

function stepLine(event: StepEvent): string {
  const verb = event.concurrent ? "skipped" : event.direction
  const detail = event.concurrent
    ? "already applied by another runner"
    : `${event.statements} statements, ${Math.round(event.durationMs)} ms`
  return `${verb.padEnd(9)} ${event.revision}  ${event.message}  (${detail})`
}

async function describeHeads(migrator: Migrator, heads: readonly string[]): Promise<string> {
  if (heads.length === 0) return "base (no revision applied)"
  const graph = await migrator.graph()
  const graphHeads = new Set(graph.heads())
  const describe = (id: string) =>
    graph.has(id)
      ? `${id} ${graph.get(id).message}${graphHeads.has(id) ? " (head)" : ""}`
      : `${id} (no revision file has this id)`
  return heads.map(describe).join(", ")
}

const upgrade: Command = async (args, config, io) => {
  const migrator = await migratorFor(config, io)
  const events = await migrator.upgrade(args.positional[0] ?? "head")
  const heads = await migrator.current()
  io.out(
    events.length === 0
      ? `Nothing to upgrade: database at ${await describeHeads(migrator, heads)}`
      : `Database at ${await describeHeads(migrator, heads)}`,
  )
  return 0
}

const downgrade: Command = async (args, config, io) => {
  const target = args.positional[0]
  if (!target) throw new CliError("downgrade needs a target: a revision, -N or base")
  const migrator = await migratorFor(config, io)
  const events = await migrator.downgrade(target)
  const heads = await migrator.current()
  io.out(
    events.length === 0
      ? `Nothing to downgrade: database at ${await describeHeads(migrator, heads)}`
      : `Database at ${await describeHeads(migrator, heads)}`,
  )
  return 0
}

const current: Command = async (_args, config, io) => {
  const migrator = await migratorFor(config, io)
  io.out(await describeHeads(migrator, await migrator.current()))
  return 0
}

const history: Command = async (_args, config, io) => {
  const migrator = await migratorFor(config, io, true)
  const graph = await migrator.graph()
  const heads = new Set(graph.heads())
  for (const revision of graph.ordered) {
    const parents = graph.parents(revision.id)
    io.out(
      `${parents.length ? parents.join(", ") : "<base>"} -> ${revision.id}${heads.has(revision.id) ? " (head)" : ""}  ${revision.message}`,
    )
  }
  if (graph.size === 0) io.out(`No revisions in ${relative(config.root, config.migrationsFolder) || "."}`)
  return 0
}

const stamp: Command = async (args, config, io) => {
  const target = args.positional[0]
  if (!target) throw new CliError("stamp needs a target: a revision, head or base")
  const migrator = await migratorFor(config, io)
  await migrator.stamp(target)
  io.out(`Stamped: database at ${await describeHeads(migrator, await migrator.current())}`)
  return 0
}

const check: Command = async (_args, config, io) => {
  const migrator = await migratorFor(config, io)
  const pending = await migrator.pending()
  if (pending.length > 0) {
    io.out(
      `The database is behind: ${pending.length} revision(s) not applied (${pending.join(", ")}); run migrate upgrade`,
    )
    return 1
  }
  const changes = await migrator.compare(await loadMetadata(config))
  if (changes.length === 0) {
    io.out("No changes: the database matches the models")
    return 0
  }
  const operations = changes.flatMap((c) => c.upgrade)
  io.out(
    `The database differs from the models (${operations.length} operation(s)); write a revision with --autogenerate:`,
  )
  for (const line of changeLines(changes)) io.out(line)
  return 1
}

/**
 * Each change's operations, then what the revision's comment asks the reviewer to check (a table or
 * column dropped with its rows, NOT NULL over NULLs...): said where it is seen, not only in the file.
 */
function changeLines(changes: Awaited<ReturnType<Migrator["compare"]>>): string[] {
  return changes.flatMap((change) => [
    ...change.upgrade.map((op) => `  ${describeOperation(op)}`),
    ...(change.comment ? [`    check: ${change.comment}`] : []),
  ])
}

const revision: Command = async (args, config, io) => {
  if (!args.message) throw new CliError('revision needs a message: -m "add user bio"')
  const migrator = await migratorFor(config, io, !args.autogenerate)
  const graph = await migrator.graph()
  if (args.merge && args.autogenerate)
    throw new CliError("A merge revision joins heads; autogenerate after it")
  const heads = graph.heads()
  if (args.merge && heads.length < 2)
    throw new CliError(`Nothing to merge: the revisions have ${heads.length} head(s)`)
  const parent = args.merge ? heads : (graph.head() ?? null)
  let changes: Awaited<ReturnType<Migrator["compare"]>> = []
  if (args.autogenerate) {
    const heads = await migrator.current()
    const expected = parent === null ? [] : [parent]
    if (heads.join() !== expected.join()) {
      throw new CliError(
        `The database is not at head (${heads.join(", ") || "base"}); run migrate upgrade before --autogenerate`,
      )
    }
    const metadata = await loadMetadata(config)
    changes = await migrator.compare(metadata)
    if (parent === null) refuseFirstRevisionOverTables(metadata.tables, changes)
  }
  const id = newRevisionId()
  const source = writeRevision({
    id,
    parent,
    message: args.message,
    changes,
    createdAt: new Date(),
    ...(config.importFrom ? { importFrom: config.importFrom } : {}),
  })
  mkdirSync(config.migrationsFolder, { recursive: true })
  const extension = revisionExtension(config.migrationsFolder)
  const path = join(config.migrationsFolder, revisionFileName(id, args.message, extension))
  writeFileSync(path, source)
  io.out(`Created ${relative(config.root, path)}`)
  if (args.autogenerate) {
    if (changes.length === 0) io.out("  no changes detected: the revision is empty")
    for (const line of changeLines(changes)) io.out(line)
  }
  return 0
}

/**
 * The first revision, autogenerated against a database that has the models' tables with no revision
 * applied (createAll made them, as the README's first examples do): it would not create them, and a new
 * database upgraded with it would lack them.
 */
function refuseFirstRevisionOverTables(
  tables: readonly { readonly name: string }[],
  changes: Awaited<ReturnType<Migrator["compare"]>>,
): void {
  const created = new Set(
    changes.flatMap((change) =>
      change.upgrade.flatMap((op) => (op.kind === "createTable" ? [op.table] : [])),
    ),
  )
  const existing = tables.map((table) => table.name).filter((name) => !created.has(name))
  if (existing.length === 0) return
  throw new CliError(
    `The database has tables of the models already (${existing.join(", ")}) though no revision is applied ` +
      "(made by createAll?): a first revision autogenerated against it would not create them, and a new " +
      "database upgraded with it would lack them. Autogenerate the first revision against an empty database " +
      "(for SQLite: DATABASE_URL=file:empty.db), then record it as applied here: npx edgealchemy migrate stamp head",
  )
}

const sql: Command = async (args, config, io) => {
  if (!io.env[config.url ?? "DATABASE_URL"]) {
    throw new CliError(
      `Set ${config.url ?? "DATABASE_URL"}: sql prints SQL for that database's dialect (it does not connect)`,
    )
  }
  const migrator = await migratorFor(config, io, true)
  const direction = args.downgrade ? "downgrade" : "upgrade"
  const target = args.positional[0] ?? (args.downgrade ? undefined : "head")
  if (target === undefined) throw new CliError("sql --downgrade needs a target: a revision, -N or base")
  if (args.downgrade && !args.from)
    throw new CliError("sql --downgrade needs --from REV: the revision the database is at")
  for (const line of await migrator.sql(direction, target, args.from)) io.out(line)
  return 0
}

export const commands: Record<string, Command> = {
  init,
  revision,
  upgrade,
  downgrade,
  current,
  history,
  stamp,
  check,
  sql,
}
