// Models of the unit-of-work review (tables ru_*).
import {
  BigInteger,
  column,
  DateTime,
  Float,
  Integer,
  model,
  Numeric,
  Registry,
  relationship,
  String,
  Text,
  table,
} from "../../src/index.ts"

export const registry = new Registry()

/** Links stamps to labels with no ON DELETE: the flush must delete a deleted stamp's link rows. */
export const stampLinks = table(
  "ru_stamp_links",
  {
    stampAt: column(DateTime, { primaryKey: true, foreignKey: "ru_stamps.at" }),
    labelId: column(Integer, { primaryKey: true, foreignKey: "ru_stamp_labels.id" }),
  },
  { metadata: registry.metadata },
)

export class RuParent extends model(
  "ru_parents",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(50), { unique: true }),
    note: column(Text, { nullable: true }),
    createdAt: column(DateTime, { default: () => new Date() }),
    version: column(Integer, { default: 1 }),
    children: relationship<RuChild[]>("RuChild", { backPopulates: "parent" }),
    kids: relationship<RuKid[]>("RuKid", {
      backPopulates: "parent",
      cascade: ["save-update", "delete", "delete-orphan"],
    }),
  },
  { registry, versionId: "version" },
) {}

export class RuChild extends model(
  "ru_children",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(50)),
    parentId: column(Integer, { nullable: true, foreignKey: "ru_parents.id" }),
    parent: relationship<RuParent | null>("RuParent", { backPopulates: "children" }),
  },
  { registry },
) {}

export class RuKid extends model(
  "ru_kids",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(50)),
    parentId: column(Integer, { nullable: true, foreignKey: "ru_parents.id" }),
    parent: relationship<RuParent | null>("RuParent", { backPopulates: "kids" }),
  },
  { registry },
) {}

/** Keyed by a timestamp the database may write (now()). */
export class RuStamp extends model(
  "ru_stamps",
  {
    at: column(DateTime, { primaryKey: true }),
    label: column(String(50)),
    items: relationship<RuStampItem[]>("RuStampItem", {
      backPopulates: "stamp",
      cascade: ["save-update", "delete"],
    }),
    /** No delete cascade: a deleted stamp's notes are unlinked (their key set to NULL). */
    notes: relationship<RuStampNote[]>("RuStampNote", { backPopulates: "stamp" }),
    labels: relationship<RuStampLabel[]>("RuStampLabel", { secondary: stampLinks }),
  },
  { registry },
) {}

export class RuStampNote extends model(
  "ru_stamp_notes",
  {
    id: column(Integer, { primaryKey: true }),
    stampAt: column(DateTime, { foreignKey: "ru_stamps.at", nullable: true }),
    stamp: relationship<RuStamp | null>("RuStamp", { backPopulates: "notes" }),
  },
  { registry },
) {}

export class RuStampLabel extends model(
  "ru_stamp_labels",
  { id: column(Integer, { primaryKey: true }), name: column(String(20)) },
  { registry },
) {}

export class RuStampItem extends model(
  "ru_stamp_items",
  {
    id: column(Integer, { primaryKey: true }),
    stampAt: column(DateTime, { foreignKey: "ru_stamps.at" }),
    stamp: relationship<RuStamp>("RuStamp", { backPopulates: "items" }),
  },
  { registry },
) {}

export class RuPair extends model(
  "ru_pairs",
  {
    a: column(Integer, { primaryKey: true }),
    b: column(Integer, { primaryKey: true }),
    label: column(String(50)),
  },
  { registry },
) {}

export class RuNum extends model(
  "ru_nums",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(50), { name: "label_text" }),
    amount: column(Numeric(10, 2), { nullable: true }),
    weight: column(Float, { nullable: true }),
    big: column(BigInteger, { nullable: true }),
  },
  { registry },
) {}

registry.registerModels(
  RuParent,
  RuChild,
  RuKid,
  RuStamp,
  RuStampItem,
  RuStampNote,
  RuStampLabel,
  RuPair,
  RuNum,
)
