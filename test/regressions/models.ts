// Models of the review regressions: Numeric and BigInteger columns, Float weights, lazy "joined" links,
// timestamps and ratios a bulk UPDATE evaluates.
import {
  BigInteger,
  column,
  DateOnly,
  DateTime,
  Float,
  hybrid,
  Integer,
  model,
  Numeric,
  Registry,
  relationship,
  String,
} from "../../src/index.ts"

export const registry = new Registry()

export class RAccount extends model(
  "r_accounts",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(50)),
    balance: column(Numeric(10, 2)),
    hits: column(BigInteger, { default: 0n }),
    frozen: column(Integer, { default: 0 }),
    entries: relationship<REntry[]>("REntry", { backPopulates: "account", lazy: "selectin" }),
  },
  { registry },
) {}

export class REntry extends model(
  "r_entries",
  {
    id: column(Integer, { primaryKey: true }),
    amount: column(Integer),
    accountId: column(Integer, { nullable: true, foreignKey: "r_accounts.id" }),
    account: relationship<RAccount | null>("RAccount", { backPopulates: "entries", lazy: "joined" }),
  },
  { registry },
) {}

/** A many-to-one loaded by join, to a model whose own collection loads by default (lazy selectin). */
export class RNote extends model(
  "r_notes2",
  {
    id: column(Integer, { primaryKey: true }),
    accountId: column(Integer, { foreignKey: "r_accounts.id" }),
    account: relationship<RAccount>("RAccount", { lazy: "joined" }),
  },
  { registry },
) {}

/** A hybrid dividing an Integer column by a Float one: SQL gives a fraction. */
export class RScore extends model(
  "r_scores",
  {
    id: column(Integer, { primaryKey: true }),
    points: column(Integer),
    weight: column(Float),
  },
  { registry, hybrids: hybrid((c) => ({ ratio: c.points.div(c.weight) })) },
) {}

/** A timestamp (which a database may hold below the millisecond) and a ratio, for bulk UPDATEs. */
export class RStamp extends model(
  "r_stamps",
  {
    id: column(Integer, { primaryKey: true }),
    at: column(DateTime, { nullable: true }),
    ratio: column(Float, { nullable: true }),
    label: column(String(20)),
  },
  { registry },
) {}

/** Keyed by a sensor and an instant, which PostgreSQL may hold to the microsecond. */
export class RReading extends model(
  "r_readings",
  {
    sensor: column(Integer, { primaryKey: true }),
    at: column(DateTime, { primaryKey: true }),
    note: column(String(20)),
    day: column(DateOnly, { nullable: true }),
  },
  { registry },
) {}

registry.registerModels(RAccount, REntry, RNote, RScore, RStamp, RReading)
