import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as fc from "fast-check"
import { AlertDescription, ContentType } from "../../src/wire/codes.js"
import { DecodeError } from "../../src/wire/reader.js"
import {
  Deframer,
  decodeRecordHeader,
  encodeRecordHeader,
  MAX_CIPHERTEXT_LENGTH,
  MAX_PLAINTEXT_LENGTH,
  type TlsRecord,
} from "../../src/wire/record.js"
import { clientHello, clientHelloRecord } from "../fixtures/rfc8448/client-hello.js"
import { cuts, split } from "./arbitraries.js"
import { concat, fromHex, toHex } from "./hex.js"

const contentType = fc.constantFrom(
  ContentType.change_cipher_spec,
  ContentType.alert,
  ContentType.handshake,
  ContentType.application_data,
)

const recordArb = fc
  .tuple(contentType, fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ minLength: 1, maxLength: 300 }))
  .map(([type, version, fragment]) => ({ type, version, fragment }))

const frame = (record: { type: number; version: number; fragment: Uint8Array }): Uint8Array => {
  const out = new Uint8Array(5 + record.fragment.length)
  encodeRecordHeader(record.type, record.fragment.length, out, 0, record.version)
  out.set(record.fragment, 5)
  return out
}

/** Records, their framed concatenation, and cut points to split it at. */
const splitStream = fc.array(recordArb, { minLength: 1, maxLength: 8 }).chain((records) => {
  const stream = concat(...records.map(frame))
  return fc.tuple(fc.constant(records), fc.constant(stream), cuts(stream.length))
})

/** The records the deframer must return for `records`: `raw` is the framed record. */
const framed = (records: ReadonlyArray<{ type: number; version: number; fragment: Uint8Array }>) =>
  records.map((record) => ({ ...record, raw: frame(record) }))

/** Calls `next` until it needs more bytes or fails, copying fragments (they are views). */
const drain = (deframer: Deframer, out: Array<TlsRecord | DecodeError>): boolean => {
  for (let next = deframer.next(); next !== undefined; next = deframer.next()) {
    if (next instanceof DecodeError) {
      out.push(next)
      return false
    }
    out.push({ ...next, fragment: next.fragment.slice(), raw: next.raw.slice() })
  }
  return true
}

/** Pushes each piece and drains the records after each. */
const deframeAll = (deframer: Deframer, pieces: ReadonlyArray<Uint8Array>): Array<TlsRecord | DecodeError> => {
  const out: Array<TlsRecord | DecodeError> = []
  for (const piece of pieces) {
    deframer.push(piece)
    if (!drain(deframer, out)) break
  }
  return out
}

const errorOf = (result: ReadonlyArray<TlsRecord | DecodeError> | TlsRecord | DecodeError | undefined) => {
  const last = Array.isArray(result) ? result[result.length - 1] : result
  if (!(last instanceof DecodeError)) throw new Error("expected a DecodeError")
  return last
}

describe("record header", () => {
  it("encodes and decodes the RFC 8448 ClientHello record header", () => {
    const out = new Uint8Array(5)
    encodeRecordHeader(ContentType.handshake, 196, out, 0, 0x0301)
    expect(toHex(out)).toBe("16030100c4")
    expect(decodeRecordHeader(out)).toEqual(Either.right({ type: 22, version: 0x0301, length: 196 }))
  })

  it("writes legacy_record_version 0x0303 by default, at an offset", () => {
    const out = new Uint8Array(7)
    encodeRecordHeader(ContentType.application_data, 0x1234, out, 2)
    expect(toHex(out)).toBe("00001703031234")
  })

  it.prop(
    "property: headers round-trip",
    [contentType, fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 1, max: MAX_PLAINTEXT_LENGTH })],
    ([type, version, length]) => {
      const out = new Uint8Array(5)
      encodeRecordHeader(type, length, out, 0, version)
      expect(decodeRecordHeader(out)).toEqual(Either.right({ type, version, length }))
    },
  )

  it("ignores legacy_record_version (RFC 8446 section 5.1)", () => {
    expect(Either.isRight(decodeRecordHeader(fromHex("1700000001")))).toBe(true)
    expect(Either.isRight(decodeRecordHeader(fromHex("16ffff0001")))).toBe(true)
  })

  it("rejects unknown types, oversized and zero-length handshake/alert records", () => {
    const alertOf = (hex: string) =>
      Either.getLeft(decodeRecordHeader(fromHex(hex))).pipe((e) => e._tag === "Some" && e.value.alert)
    expect(alertOf("4854545000")).toBe(AlertDescription.unexpected_message)
    expect(alertOf("1703034101")).toBe(AlertDescription.record_overflow)
    expect(alertOf("1603034001")).toBe(AlertDescription.record_overflow)
    expect(alertOf("1603030000")).toBe(AlertDescription.unexpected_message)
    expect(alertOf("1503030000")).toBe(AlertDescription.unexpected_message)
    expect(alertOf("16030300")).toBe(AlertDescription.decode_error)
    // An empty application_data record is for the record protection layer to judge.
    expect(Either.isRight(decodeRecordHeader(fromHex("1703030000")))).toBe(true)
  })
})

/** The deframer's private buffer (white box: what an idle connection keeps). */
const heldBuffer = (deframer: Deframer): Uint8Array => (deframer as unknown as { readonly buf: Uint8Array }).buf

describe("Deframer", () => {
  it("frames the RFC 8448 ClientHello record", () => {
    const deframer = new Deframer()
    deframer.push(fromHex(clientHelloRecord))
    const record = deframer.next()
    expect(record).not.toBeInstanceOf(DecodeError)
    expect(record && !(record instanceof DecodeError) && toHex(record.fragment)).toBe(clientHello)
    expect(record && !(record instanceof DecodeError) && toHex(record.raw)).toBe(clientHelloRecord)
    expect(deframer.next()).toBeUndefined()
    expect(deframer.buffered).toBe(0)
  })

  it.prop("property: any split of a stream gives the same records", [splitStream], ([[records, stream, offsets]]) => {
    const deframer = new Deframer()
    expect(deframeAll(deframer, split(stream, offsets))).toEqual(framed(records))
    expect(deframer.buffered).toBe(0)
  })

  it.prop(
    "property: chunks may be reused by the caller once next() returned undefined",
    [fc.array(recordArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 64 })],
    ([records, size]) => {
      const stream = concat(...records.map(frame))
      const deframer = new Deframer()
      const scratch = new Uint8Array(size)
      const out: Array<TlsRecord | DecodeError> = []
      for (let at = 0; at < stream.length; at += size) {
        const piece = stream.subarray(at, at + size)
        scratch.set(piece)
        deframer.push(scratch.subarray(0, piece.length))
        drain(deframer, out)
        scratch.fill(0xee)
      }
      expect(out).toEqual(framed(records))
    },
  )

  it.prop(
    "property: pushing without draining keeps every byte",
    [fc.array(recordArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 50 })],
    ([records, size]) => {
      const stream = concat(...records.map(frame))
      const deframer = new Deframer({ maxPlaintextLength: 300, maxCiphertextLength: 300 })
      const pieces: Array<Uint8Array> = []
      for (let at = 0; at < stream.length; at += size) pieces.push(stream.slice(at, at + size))
      for (const piece of pieces) deframer.push(piece)
      // Only the last chunk may still be referenced: the others were copied when it came.
      for (const piece of pieces.slice(0, -1)) piece.fill(0)
      const out: Array<TlsRecord | DecodeError> = []
      drain(deframer, out)
      expect(out).toEqual(framed(records))
    },
  )

  it.prop(
    "property: once every byte is returned, the deframer holds no buffer (an idle connection keeps none)",
    [splitStream],
    ([[records, stream, offsets]]) => {
      const deframer = new Deframer()
      expect(heldBuffer(deframer).length).toBe(0)
      expect(deframeAll(deframer, split(stream, offsets))).toEqual(framed(records))
      expect(heldBuffer(deframer).length).toBe(0)
    },
  )

  it("a record split over chunks is held in one buffer sized for it once its header is seen", () => {
    const record = concat(fromHex("1703034000"), new Uint8Array(0x4000).fill(7))
    const deframer = new Deframer()
    deframer.push(record.subarray(0, 100))
    expect(deframer.next()).toBeUndefined()
    const held = heldBuffer(deframer)
    expect(held.length).toBeGreaterThanOrEqual(record.length)
    deframer.push(record.subarray(100, 9000))
    expect(deframer.next()).toBeUndefined()
    deframer.push(record.subarray(9000))
    const whole = deframer.next()
    expect(whole && !(whole instanceof DecodeError) && whole.raw).toEqual(record)
    // The rest of the record landed in the same buffer: no regrow, no second copy.
    expect(whole && !(whole instanceof DecodeError) && whole.raw.buffer).toBe(held.buffer)
  })

  it("fails fast on a non-TLS reply from its first byte", () => {
    const deframer = new Deframer()
    deframer.push(new TextEncoder().encode("H"))
    const error = errorOf(deframer.next())
    expect(error.alert).toBe(AlertDescription.unexpected_message)
    deframer.push(new TextEncoder().encode("TTP/1.1 400 Bad Request\r\n"))
    expect(deframer.next()).toBe(error)
  })

  it("rejects an oversized record from its header alone", () => {
    const deframer = new Deframer()
    deframer.push(fromHex("170303ffff"))
    expect(errorOf(deframer.next()).alert).toBe(AlertDescription.record_overflow)
    const small = new Deframer({ maxCiphertextLength: 100 })
    small.push(fromHex("1703030065"))
    expect(errorOf(small.next()).alert).toBe(AlertDescription.record_overflow)
    small.push(new Uint8Array(101))
    expect(errorOf(small.next()).alert).toBe(AlertDescription.record_overflow)
  })

  it("applies the plaintext limit to non-application_data records", () => {
    const deframer = new Deframer()
    deframer.push(fromHex(`160303${(MAX_PLAINTEXT_LENGTH + 1).toString(16).padStart(4, "0")}`))
    expect(errorOf(deframer.next()).alert).toBe(AlertDescription.record_overflow)
    const ciphertext = new Deframer()
    ciphertext.push(fromHex(`170303${MAX_CIPHERTEXT_LENGTH.toString(16).padStart(4, "0")}`))
    expect(ciphertext.next()).toBeUndefined()
  })

  it("rejects zero-length handshake and alert records, after earlier good records", () => {
    for (const type of ["15", "16"]) {
      const deframer = new Deframer()
      const result = deframeAll(deframer, [fromHex("140303000101"), fromHex(`${type}0303000016030300`)])
      expect(result[0]).toEqual({ type: 20, version: 0x0303, fragment: Uint8Array.of(1), raw: fromHex("140303000101") })
      expect(errorOf(result).alert).toBe(AlertDescription.unexpected_message)
    }
  })

  it.prop(
    "property: arbitrary bytes in arbitrary pieces never throw",
    [fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 10 })],
    ([pieces]) => {
      const deframer = new Deframer()
      const result = deframeAll(deframer, pieces)
      expect(result.every((r, i) => !(r instanceof DecodeError) || i === result.length - 1)).toBe(true)
    },
  )
})
