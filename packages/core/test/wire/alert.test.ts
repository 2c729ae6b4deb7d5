import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as fc from "fast-check"
import { decodeAlert, encodeAlert } from "../../src/wire/alert.js"
import { AlertDescription, AlertLevel } from "../../src/wire/codes.js"
import { fromHex } from "./hex.js"

describe("alert codec", () => {
  it("decodes a fatal handshake_failure", () => {
    expect(decodeAlert(fromHex("0228"))).toEqual(
      Either.right({ level: AlertLevel.fatal, description: AlertDescription.handshake_failure }),
    )
  })

  it.prop(
    "property: every alert round-trips",
    [fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })],
    ([level, description]) => {
      const bytes = encodeAlert({ level, description })
      expect(bytes).toEqual(Uint8Array.of(level, description))
      expect(decodeAlert(bytes)).toEqual(Either.right({ level, description }))
    },
  )

  it.prop(
    "property: anything but exactly 2 bytes is decode_error",
    [fc.uint8Array({ maxLength: 8 }).filter((bytes) => bytes.length !== 2)],
    ([bytes]) => {
      const result = decodeAlert(bytes)
      expect(Either.isLeft(result) && result.left.alert).toBe(AlertDescription.decode_error)
    },
  )
})
