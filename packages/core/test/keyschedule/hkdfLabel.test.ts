/**
 * HkdfLabel encoding against the "info" values RFC 8448 section 3 prints, and its bounds.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as fc from "fast-check"
import { hkdfLabel } from "../../src/keyschedule/hkdfLabel.js"
import { toHex } from "../fixtures/rfc8448/fromHex.js"
import * as simple from "../fixtures/rfc8448/simple-1rtt.js"

const info = (label: string, context: Uint8Array, length: number): string =>
  Either.match(hkdfLabel(label, context, length), { onLeft: (e) => e.message, onRight: toHex })

describe("HkdfLabel", () => {
  it("8448 section 3: info bytes of derive-secret, key, iv, finished and resumption", () => {
    expect(info("c hs traffic", simple.helloHash, 32)).toBe(toHex(simple.clientHandshakeTrafficInfo))
    expect(info("key", new Uint8Array(0), 16)).toBe(toHex(simple.keyInfo))
    expect(info("iv", new Uint8Array(0), 12)).toBe(toHex(simple.ivInfo))
    expect(info("finished", new Uint8Array(0), 32)).toBe(toHex(simple.finishedInfo))
    expect(info("resumption", simple.ticketNonce, 32)).toBe(toHex(simple.resumptionInfo))
  })

  it("rejects labels outside 7..255 bytes, contexts over 255 bytes and lengths over 65535", () => {
    const fails = (label: string, contextLength: number, length: number) =>
      Either.isLeft(hkdfLabel(label, new Uint8Array(contextLength), length))
    expect(fails("", 0, 32)).toBe(true)
    expect(fails("x".repeat(250), 0, 32)).toBe(true)
    expect(fails("x".repeat(249), 0, 32)).toBe(false)
    expect(fails("key", 256, 32)).toBe(true)
    expect(fails("key", 255, 32)).toBe(false)
    expect(fails("key", 0, 65536)).toBe(true)
    expect(fails("key", 0, -1)).toBe(true)
    expect(fails("key", 0, 65535)).toBe(false)
  })

  it.prop(
    "encodes length, prefixed label and context at their offsets",
    [
      fc.string({ minLength: 1, maxLength: 249 }),
      fc.uint8Array({ maxLength: 255 }),
      fc.integer({ min: 0, max: 65535 }),
    ],
    ([label, context, length]) => {
      const out = Either.getOrThrow(hkdfLabel(label, context, length))
      const full = `tls13 ${label}`
      expect(out.length).toBe(4 + full.length + context.length)
      expect((out[0]! << 8) | out[1]!).toBe(length)
      expect(out[2]).toBe(full.length)
      expect(String.fromCharCode(...out.subarray(3, 3 + full.length))).toBe(full)
      expect(out[3 + full.length]).toBe(context.length)
      expect(toHex(out.subarray(4 + full.length))).toBe(toHex(context))
    },
  )
})
