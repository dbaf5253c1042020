// neon-local's own login pieces, in Node: the SCRAM-SHA-256 client it uses towards an upstream that asks
// for a password, checked against RFC 7677's example, and the `anyPassword` escape hatch.
import { neon, neonConfig } from "@neondatabase/serverless"
import { describe, expect, inject, it } from "vitest"
import { startNeonLocal } from "../../tools/neon-local/index.ts"
import {
  clientFinalMessage,
  clientFirstMessage,
  serverFinalIsValid,
  startScram,
} from "../../tools/neon-local/scram.ts"

describe("neon-local's SCRAM-SHA-256 client", () => {
  it("computes RFC 7677's example exchange", () => {
    const session = startScram("rOprNGfwEbeRWgbNEkqO", "user")
    expect(clientFirstMessage(session)).toBe("n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
    const serverFirst =
      "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
    const final = clientFinalMessage(session, "pencil", serverFirst)
    expect(final.message).toBe(
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    )
    expect(serverFinalIsValid("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", final.serverSignature)).toBe(
      true,
    )
    expect(serverFinalIsValid("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", final.serverSignature)).toBe(
      false,
    )
  })

  it("refuses a server nonce that does not extend the client's", () => {
    const session = startScram("clientnonce")
    expect(() => clientFinalMessage(session, "pw", "r=othernonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")).toThrow(
      /nonce/,
    )
  })
})

describe("neon-local with anyPassword", () => {
  it("accepts any password, and still refuses a host it does not serve", async () => {
    const upstream = new URL(inject("neonDefault").connectionString)
    const local = await startNeonLocal({ upstream: upstream.toString(), port: 0, anyPassword: true })
    try {
      neonConfig.fetchEndpoint = local.fetchEndpoint()
      const anything = new URL(upstream)
      anything.password = "whatever-you-like"
      expect(await neon(anything.toString()).query("SELECT 1 AS one")).toEqual([{ one: 1 }])
      anything.hostname = "ep-elsewhere.example.com"
      await expect(neon(anything.toString()).query("SELECT 1")).rejects.toMatchObject({ code: "28P01" })
    } finally {
      await local.stop()
    }
  })
})
