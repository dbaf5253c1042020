// Models of the loading-attacks suite: a comment has two many-to-ones to users (its own author, and
// through its post the post's author), so an option applied to the wrong entity shows in the data.
// Readings are keyed by their instant, so keys a millisecond apart are two rows; the Keyed pairs by
// values an identity key could confuse (64-bit integers past 2^53, bytes, text like the key encoding).
import {
  BigInteger,
  column,
  DateTime,
  Float,
  Integer,
  LargeBinary,
  model,
  Registry,
  relationship,
  String,
} from "../../src/index.ts"

export const registry = new Registry()

export class Writer extends model(
  "la_writers",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(50)),
    articles: relationship<Article[]>("Article", { backPopulates: "writer" }),
  },
  { registry },
) {}

export class Article extends model(
  "la_articles",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(50)),
    writerId: column(Integer, { foreignKey: "la_writers.id" }),
    writer: relationship<Writer>("Writer", { backPopulates: "articles" }),
    remarks: relationship<Remark[]>("Remark", { backPopulates: "article" }),
  },
  { registry },
) {}

export class Remark extends model(
  "la_remarks",
  {
    id: column(Integer, { primaryKey: true }),
    body: column(String(50)),
    articleId: column(Integer, { foreignKey: "la_articles.id" }),
    writerId: column(Integer, { foreignKey: "la_writers.id" }),
    article: relationship<Article>("Article", { backPopulates: "remarks" }),
    writer: relationship<Writer>("Writer"),
  },
  { registry },
) {}

export class Reading extends model(
  "la_readings",
  {
    at: column(DateTime, { primaryKey: true }),
    label: column(String(50)),
    count: column(Integer),
    weight: column(Float),
    notes: relationship<ReadingNote[]>("ReadingNote", { backPopulates: "reading" }),
  },
  { registry },
) {}

export class ReadingNote extends model(
  "la_reading_notes",
  {
    id: column(Integer, { primaryKey: true }),
    readingAt: column(DateTime, { foreignKey: "la_readings.at" }),
    body: column(String(50)),
    reading: relationship<Reading>("Reading", { backPopulates: "notes" }),
  },
  { registry },
) {}

export class KeyedBig extends model(
  "la_keyed_big",
  {
    id: column(BigInteger, { primaryKey: true }),
    kids: relationship<KeyedBigKid[]>("KeyedBigKid", { backPopulates: "parent" }),
  },
  { registry },
) {}

export class KeyedBigKid extends model(
  "la_keyed_big_kids",
  {
    id: column(BigInteger, { primaryKey: true }),
    parentId: column(BigInteger, { foreignKey: "la_keyed_big.id" }),
    parent: relationship<KeyedBig>("KeyedBig", { backPopulates: "kids" }),
  },
  { registry },
) {}

export class KeyedBytes extends model(
  "la_keyed_bytes",
  {
    id: column(LargeBinary, { primaryKey: true }),
    label: column(String(20)),
    kids: relationship<KeyedBytesKid[]>("KeyedBytesKid", { backPopulates: "parent" }),
  },
  { registry },
) {}

export class KeyedBytesKid extends model(
  "la_keyed_bytes_kids",
  {
    id: column(Integer, { primaryKey: true }),
    parentId: column(LargeBinary, { foreignKey: "la_keyed_bytes.id" }),
    parent: relationship<KeyedBytes>("KeyedBytes", { backPopulates: "kids" }),
  },
  { registry },
) {}

export class KeyedText extends model(
  "la_keyed_text",
  {
    id: column(String(20), { primaryKey: true }),
    kids: relationship<KeyedTextKid[]>("KeyedTextKid", { backPopulates: "parent" }),
  },
  { registry },
) {}

export class KeyedTextKid extends model(
  "la_keyed_text_kids",
  {
    id: column(Integer, { primaryKey: true }),
    parentId: column(String(20), { foreignKey: "la_keyed_text.id" }),
    parent: relationship<KeyedText>("KeyedText", { backPopulates: "kids" }),
  },
  { registry },
) {}

registry.registerModels(
  Writer,
  Article,
  Remark,
  Reading,
  ReadingNote,
  KeyedBig,
  KeyedBigKid,
  KeyedBytes,
  KeyedBytesKid,
  KeyedText,
  KeyedTextKid,
)
