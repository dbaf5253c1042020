import { Boolean, defineRevision } from "../../../src/migrate.ts"

export default defineRevision({
  id: "b2c3d4e5f6a7",
  parent: "a1b2c3d4e5f6",
  message: "pinned notes",
  upgrade(op) {
    op.addColumn("notes", { name: "pinned", type: Boolean, default: false })
    op.createIndex("ix_notes_pinned", "notes", ["pinned"])
  },
  downgrade(op) {
    op.dropIndex("ix_notes_pinned", "notes")
    op.dropColumn("notes", "pinned")
  },
})
