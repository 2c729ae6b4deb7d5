import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as fc from "fast-check"
import { AlertDescription } from "../../src/wire/codes.js"
import { ByteReader, DecodeError, decodeWith, fail } from "../../src/wire/reader.js"
import { ByteWriter } from "../../src/wire/writer.js"
import { fromHex, toHex } from "./hex.js"

const decodeErrorOf = <A>(result: Either.Either<A, DecodeError>): DecodeError => {
  if (Either.isRight(result)) throw new Error(`expected a DecodeError, got ${JSON.stringify(result.right)}`)
  return result.left
}

describe("ByteReader / ByteWriter", () => {
  it("reads big-endian integers and subarrays", () => {
    const input = fromHex("01020304050607080910aabbcc")
    const r = new ByteReader(input)
    expect(r.u8()).toBe(0x01)
    expect(r.u16()).toBe(0x0203)
    expect(r.u24()).toBe(0x040506)
    expect(r.u32()).toBe(0x07080910)
    const rest = r.bytes(3)
    expect(toHex(rest)).toBe("aabbcc")
    expect(rest.buffer).toBe(input.buffer)
    expect(r.atEnd()).toBe(true)
  })

  it("reads u32 values above 2^31 as unsigned", () => {
    expect(new ByteReader(fromHex("ffffffff")).u32()).toBe(0xffffffff)
  })

  it.prop(
    "property: integers and vectors written are read back",
    [fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffffff })],
    ([a, b, c]) => {
      const w = new ByteWriter(1)
      w.u8(a)
        .u16(b)
        .u24(c)
        .u32(c * 256 + a)
      w.lengthPrefixed16((inner) => inner.u8(a).u16(b))
      w.lengthPrefixed24((inner) => inner.lengthPrefixed8((x) => x.u24(c)))
      const r = new ByteReader(w.finish())
      expect([r.u8(), r.u16(), r.u24(), r.u32()]).toEqual([a, b, c, c * 256 + a])
      const v16 = r.vector16()
      expect([v16.u8(), v16.u16()]).toEqual([a, b])
      v16.end()
      const inner = r.vector24().vector8(3, 3)
      expect(inner.u24()).toBe(c)
      r.end()
    },
  )

  it.prop("property: the writer grows past its initial capacity", [fc.uint8Array({ maxLength: 5000 })], ([bytes]) => {
    const w = new ByteWriter(16)
    w.lengthPrefixed16((inner) => inner.bytes(bytes))
    const out = w.finish()
    expect(out.length).toBe(bytes.length + 2)
    expect(new ByteReader(out).vector16().rest()).toEqual(bytes)
  })

  it("a vector's sub-reader is limited to its length prefix", () => {
    const r = new ByteReader(fromHex("0002aabbcc"))
    const v = r.vector16()
    expect(v.remaining).toBe(2)
    expect(() => v.bytes(3)).toThrow(DecodeError)
    expect(r.u8()).toBe(0xcc)
  })

  it("truncated reads fail with decode_error", () => {
    const reads: ReadonlyArray<(r: ByteReader) => unknown> = [
      (r) => r.u8(),
      (r) => r.u16(),
      (r) => r.u24(),
      (r) => r.u32(),
      (r) => r.bytes(1),
    ]
    for (const read of reads) {
      const error = decodeErrorOf(decodeWith(new Uint8Array(0), read))
      expect(error.alert).toBe(AlertDescription.decode_error)
      expect(error.detail).toMatch(/truncated/)
    }
    expect(decodeErrorOf(decodeWith(fromHex("00"), (r) => r.u16())).alert).toBe(AlertDescription.decode_error)
  })

  it("a length prefix past the end fails before slicing", () => {
    const error = decodeErrorOf(decodeWith(fromHex("ffffff00"), (r) => r.vector24()))
    expect(error.alert).toBe(AlertDescription.decode_error)
    expect(error.detail).toMatch(/past the end/)
  })

  it("vector lengths outside <min..max> fail", () => {
    expect(decodeErrorOf(decodeWith(fromHex("01aa"), (r) => r.vector8(2, 4))).detail).toMatch(/not in <2..4>/)
    expect(decodeErrorOf(decodeWith(fromHex("0005aabbccddee"), (r) => r.vector16(0, 4))).detail).toMatch(
      /not in <0..4>/,
    )
    expect(decodeErrorOf(decodeWith(fromHex("000000"), (r) => r.vector24(1))).alert).toBe(AlertDescription.decode_error)
  })

  it("decodeWith rejects trailing bytes", () => {
    const error = decodeErrorOf(decodeWith(fromHex("0102"), (r) => r.u8()))
    expect(error.detail).toBe("1 trailing bytes")
    expect(decodeWith(fromHex("0102"), (r) => r.u16())).toEqual(Either.right(0x0102))
  })

  it("decodeWith keeps the alert a codec chose", () => {
    const error = decodeErrorOf(decodeWith(fromHex("00"), () => fail(AlertDescription.illegal_parameter, "nope")))
    expect(error).toBeInstanceOf(DecodeError)
    expect(error.alert).toBe(AlertDescription.illegal_parameter)
    expect(error.message).toBe("nope")
  })

  it("decodeWith lets other exceptions (bugs) propagate", () => {
    expect(() =>
      decodeWith(fromHex("00"), () => {
        throw new TypeError("bug")
      }),
    ).toThrow(TypeError)
  })

  it.prop("property: arbitrary bytes never throw out of decodeWith", [fc.uint8Array({ maxLength: 64 })], ([bytes]) => {
    const result = decodeWith(bytes, (r) => {
      const v = r.vector16(1, 40)
      while (!v.atEnd()) v.vector8(1).rest()
      return r.u24()
    })
    expect(Either.isEither(result)).toBe(true)
  })

  it("the writer checks a vector's bounds (a bug in our own values)", () => {
    expect(() => new ByteWriter().lengthPrefixed8(() => {}, 1)).toThrow(RangeError)
    expect(() => new ByteWriter().lengthPrefixed8((w) => w.bytes(new Uint8Array(256)))).toThrow(RangeError)
    expect(() => new ByteWriter().lengthPrefixed16((w) => w.bytes(new Uint8Array(5)), 0, 4)).toThrow(RangeError)
  })

  it("length prefixes are patched after the contents", () => {
    const w = new ByteWriter()
    w.lengthPrefixed24((outer) => outer.lengthPrefixed8((inner) => inner.u16(0xbeef)).u8(1))
    expect(toHex(w.finish())).toBe("00000402beef01")
  })
})
