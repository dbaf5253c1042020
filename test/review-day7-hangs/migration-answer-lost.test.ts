// A revision whose request was applied but whose answer was lost (an UnknownOutcomeError): the runner
// reads the version table again, finds the revision recorded, and goes on, which is right. But it
// reported the revision as "skipped ... already applied by another runner" (StepEvent.concurrent), when
// no other runner was there: its own request had applied it. The operator was told a second deploy was
// migrating the database at the same time.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { text } from "../../src/index.ts"
import { defineRevision, Integer, Migrator, staticRevisions } from "../../src/migrate.ts"
import { FAULTED_TRANSPORTS, type FaultRig, startFaultRig } from "../reliability/fault-rig.ts"

let rig: FaultRig
beforeAll(async () => {
  rig = await startFaultRig()
})
afterAll(() => rig?.stop())

const revisionOf = (table: string) =>
  defineRevision({
    id: "d7a000000001",
    parent: null,
    message: "notes",
    upgrade(op) {
      op.createTable(table, [{ name: "id", type: Integer, primaryKey: true }])
    },
    downgrade(op) {
      op.dropTable(table)
    },
  })

let n = 0
describe("a revision whose answer was lost", () => {
  for (const transport of FAULTED_TRANSPORTS) {
    it(`${transport}: is reported as this runner's, applied, not as another runner's`, async () => {
      const scope = `d7h-mig-${transport}-${++n}`
      const table = `d7h_mig_${n}`
      const versionTable = `d7h_mig_version_${n}`
      const engine = rig.engine(transport, scope)
      const proxy = rig.proxyOf(transport)
      const options = { revisions: staticRevisions([revisionOf(table)]), versionTable }
      // The round trips of an upgrade (the state read, the revision's request), counted on a dry run of
      // the same revisions: the revision's is the last.
      const dry = rig.engine(transport, `${scope}-dry`)
      await new Migrator(dry, {
        revisions: staticRevisions([revisionOf(`${table}_dry`)]),
        versionTable: `${versionTable}_dry`,
      }).upgrade()
      const at = proxy.log(`${scope}-dry`).length - 1
      proxy.arm("cut", { scope, after: at })
      const events = await new Migrator(engine, options).upgrade()
      expect(proxy.pending).toBe(0)
      expect(events.map(({ revision, concurrent }) => ({ revision, concurrent }))).toEqual([
        { revision: "d7a000000001", concurrent: false },
      ])
      const version = await rig.inspect(transport).execute(text(`SELECT version_num FROM ${versionTable}`))
      expect(version.all()).toEqual([["d7a000000001"]])
    })
  }
})
