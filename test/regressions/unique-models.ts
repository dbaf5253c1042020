// Models of the addUnique regressions.
import { column, Integer, model, Registry, relationship, String } from "../../src/index.ts"

export const uregistry = new Registry()

export class RTag extends model(
  "r_tags",
  {
    id: column(Integer, { primaryKey: true }),
    slug: column(String(50), { unique: true, name: "tag_slug" }),
    color: column(String(20), { serverDefault: "red" }),
  },
  { registry: uregistry },
) {}

export class RTagUse extends model(
  "r_tag_uses",
  {
    id: column(Integer, { primaryKey: true }),
    tagId: column(Integer, { foreignKey: "r_tags.id" }),
    tag: relationship<RTag>("RTag"),
  },
  { registry: uregistry },
) {}

uregistry.registerModels(RTag, RTagUse)
