// A binary parameter given as a typed array other than Uint8Array, or as a DataView, is stored as its
// bytes (as node:sqlite binds any ArrayBufferView): a Float32Array embedding for a libSQL vector column
// (F32_BLOB), bytes read through a DataView. edgealchemy/libsql's own transport (src/drivers/libsql/
// hrana.ts) copied the view's elements into bytes instead: Float32Array [1.5, 2] was stored as 01 02,
// a DataView as an empty blob, with no error. (@libsql/client sent neither's bytes: it wrote the
// view's toString() as text, "1.5,2" or "[object DataView]".)
import { describe, expect, inject, it } from "vitest"
import { createEngine, text } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"

const { url, authToken } = inject("libsql")

describe("a binary view as a parameter over libSQL HTTP", () => {
  const engine = createEngine(`${url}/s/r11h-views-${Date.now().toString(36)}/`, {
    driver: libsql({ authToken }),
  })
  const hex = async (value: unknown) =>
    (await engine.execute(text("SELECT hex(?), typeof(?)").bind([value, value]))).all()[0]

  it("is sent as the bytes it views", async () => {
    const floats = new Float32Array([1.5, 2])
    const bytes = [...new Uint8Array(floats.buffer)].map((b) => b.toString(16).padStart(2, "0"))
    expect(await hex(floats)).toEqual([bytes.join("").toUpperCase(), "blob"])
    const backing = new Uint8Array([1, 2, 3, 4, 5])
    expect(await hex(new DataView(backing.buffer, 1, 3))).toEqual(["020304", "blob"])
    expect(await hex(new Uint16Array(backing.buffer.slice(0, 4), 2, 1))).toEqual(["0304", "blob"])
    // A Uint8Array view with an offset, and a Buffer, as before: the bytes they view.
    expect(await hex(backing.subarray(1, 3))).toEqual(["0203", "blob"])
    expect(await hex(Buffer.from([255, 0]))).toEqual(["FF00", "blob"])
    expect(await hex(backing.buffer.slice(3))).toEqual(["0405", "blob"])
  })
})
