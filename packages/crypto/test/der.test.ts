// Tests of the strict DER reader and the DER encoders: each non-DER form is rejected, good
// encodings decode, encoders round-trip, and hostile input only ever yields a Left.
import { generateKeyPairSync } from "node:crypto"
import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import {
  contextTag,
  DerError,
  type DerReader,
  DerTag,
  decodeDer,
  derBitString,
  derElement,
  derInteger,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  MAX_DER_DEPTH,
} from "@effect-tls/crypto/der"
import { Either } from "effect"
import * as fc from "fast-check"

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ""), "hex"))

const decode = <A>(hex: string, read: (reader: DerReader) => A) => decodeDer(bytes(hex), read)

const expectRight = <A>(result: Either.Either<A, DerError>): A => {
  if (Either.isLeft(result)) throw new Error(`expected Right, got ${result.left.detail}`)
  return result.right
}

const expectLeft = <A>(result: Either.Either<A, DerError>, detail?: RegExp): void => {
  expect(Either.isLeft(result)).toBe(true)
  if (Either.isLeft(result)) {
    expect(result.left).toBeInstanceOf(DerError)
    if (detail !== undefined) expect(result.left.detail).toMatch(detail)
  }
}

/** Reads any DER tree, decoding the universal primitive types it knows. */
const walk = (reader: DerReader): void => {
  while (!reader.atEnd()) {
    const tag = reader.peekTag()!
    if ((tag & 0x20) !== 0) walk(reader.constructed(tag))
    else if (tag === DerTag.Integer) reader.integer()
    else if (tag === DerTag.ObjectIdentifier) reader.oid()
    else if (tag === DerTag.BitString) reader.bitString()
    else if (tag === DerTag.Boolean) reader.boolean()
    else if (tag === DerTag.Null) reader.null()
    else reader.element()
  }
}

const pemBody = (pem: string): Uint8Array =>
  Uint8Array.from(Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64"))

const certificate = pemBody(readFileSync(new URL("./fixtures/keys/cert.pem", import.meta.url), "utf8"))
const rsaSpki = new Uint8Array(
  generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "der", type: "spki" }),
)

describe("DerReader: lengths and tags", () => {
  it("reads short and long definite lengths", () => {
    expect(expectRight(decode("04 03 010203", (r) => r.octetString()))).toEqual(bytes("010203"))
    const long = new Uint8Array(200).fill(7)
    expect(expectRight(decodeDer(derOctetString(long), (r) => r.octetString()))).toEqual(long)
    const longer = new Uint8Array(70000).fill(9)
    const encoded = derOctetString(longer)
    expect(Array.from(encoded.subarray(0, 5))).toEqual([0x04, 0x83, 0x01, 0x11, 0x70])
    expect(expectRight(decodeDer(encoded, (r) => r.octetString()))).toEqual(longer)
  })

  it("returns views: value and raw", () => {
    const element = expectRight(decode("30 03 020105", (r) => r.element(DerTag.Sequence)))
    expect(element.tag).toBe(0x30)
    expect(element.value).toEqual(bytes("020105"))
    expect(element.raw).toEqual(bytes("30 03 020105"))
  })

  it("rejects a long-form length below 128", () => {
    expectLeft(
      decode("04 81 03 010203", (r) => r.octetString()),
      /below 128/,
    )
  })

  it("rejects a length with leading zero octets", () => {
    expectLeft(
      decode(`04 82 0080 ${"00".repeat(128)}`, (r) => r.octetString()),
      /leading zero/,
    )
  })

  it("rejects the indefinite length", () => {
    expectLeft(
      decode("30 80 020100 0000", (r) => r.sequence()),
      /indefinite/,
    )
  })

  it("rejects lengths of more than four octets and truncated lengths", () => {
    expectLeft(
      decode("04 85 0100000000", (r) => r.octetString()),
      /more than 4/,
    )
    expectLeft(
      decode("04 82 01", (r) => r.octetString()),
      /truncated length/,
    )
    expectLeft(
      decode("04", (r) => r.octetString()),
      /missing length/,
    )
  })

  it("rejects the high-tag-number form and tag 0", () => {
    expectLeft(
      decode("1f 21 00", (r) => r.element()),
      /high-tag/,
    )
    expectLeft(
      decode("bf 21 00", (r) => r.element()),
      /high-tag/,
    )
    expectLeft(
      decode("00 00", (r) => r.element()),
      /reserved/,
    )
  })

  it("rejects a length beyond the input or the parent", () => {
    expectLeft(
      decode("04 05 010203", (r) => r.octetString()),
      /beyond/,
    )
    // the inner OCTET STRING claims 3 bytes, but its SEQUENCE holds only 2 of them
    expectLeft(
      decode("30 04 0403 0102 03", (r) => r.sequence().octetString()),
      /beyond/,
    )
  })

  it("rejects a wrong tag, including constructed forms of primitive types", () => {
    expectLeft(
      decode("05 00", (r) => r.integer()),
      /expected tag 0x02, found 0x05/,
    )
    expectLeft(
      decode("24 05 0403010203", (r) => r.octetString()),
      /expected tag 0x04/,
    )
    expectLeft(
      decode("", (r) => r.integer()),
      /missing element/,
    )
  })

  it("rejects trailing bytes, inside and at the top", () => {
    expectLeft(
      decode("020101 00", (r) => r.integer()),
      /trailing/,
    )
    expectLeft(
      decode("30 06 020101 020102", (r) => {
        const s = r.sequence()
        const v = s.integer()
        s.end()
        return v
      }),
      /1 trailing|3 trailing/,
    )
    expect(expectRight(decode("30 03 020101", (r) => r.sequence().integer()))).toBe(1n)
  })

  it("bounds the nesting depth", () => {
    const nest = (depth: number): Uint8Array => {
      let inner = derNull()
      for (let i = 0; i < depth; i++) inner = derSequence(inner)
      return inner
    }
    expect(Either.isRight(decodeDer(nest(MAX_DER_DEPTH), walk))).toBe(true)
    expectLeft(decodeDer(nest(MAX_DER_DEPTH + 1), walk), /nesting/)
    expectLeft(decodeDer(nest(1000), walk), /nesting/)
  })
})

describe("DerReader: structure", () => {
  it("reads explicit tags, optional elements and sets", () => {
    const der = derSequence(
      derElement(contextTag(0, true), derInteger(2n)),
      derElement(DerTag.Set, derNull()),
      derElement(contextTag(3, false), bytes("aa")),
    )
    const result = expectRight(
      decodeDer(der, (r) => {
        const s = r.sequence()
        const version = s.optionalExplicit(0)
        const v = version?.smallInteger()
        version?.end()
        const missing = s.optionalExplicit(1)
        const missingSequence = s.optionalSequence()
        s.set().null()
        const implicit = s.optional(contextTag(3, false), (x) => x.element().value)
        const absent = s.optional(DerTag.Boolean, (x) => x.boolean())
        s.end()
        return { v, missing, missingSequence, implicit, absent, atEnd: s.atEnd(), peek: s.peekTag() }
      }),
    )
    expect(result).toEqual({
      v: 2,
      missing: undefined,
      missingSequence: undefined,
      implicit: bytes("aa"),
      absent: undefined,
      atEnd: true,
      peek: undefined,
    })
  })

  it("reads DER encapsulated in OCTET STRING and BIT STRING", () => {
    const inner = derSequence(derInteger(5n))
    expect(expectRight(decodeDer(derOctetString(inner), (r) => r.octetStringReader().sequence().integer()))).toBe(5n)
    expect(expectRight(decodeDer(derBitString(inner), (r) => r.bitStringReader().sequence().integer()))).toBe(5n)
    expectLeft(
      decode("03 02 01 80", (r) => r.bitStringReader()),
      /whole number/,
    )
  })

  it("re-throws exceptions that are not DerError", () => {
    expect(() =>
      decodeDer(bytes("0500"), () => {
        throw new RangeError("bug")
      }),
    ).toThrow(RangeError)
  })
})

describe("DerReader: INTEGER", () => {
  it("decodes minimal two's complement", () => {
    const cases: Array<[string, bigint]> = [
      ["020100", 0n],
      ["02017f", 127n],
      ["02020080", 128n],
      ["0201ff", -1n],
      ["020180", -128n],
      ["0202ff7f", -129n],
      ["0209 00ffffffffffffffff", 0xffffffffffffffffn],
    ]
    for (const [hex, value] of cases) expect(expectRight(decode(hex, (r) => r.integer()))).toBe(value)
  })

  it("rejects empty and non-minimal INTEGERs", () => {
    expectLeft(
      decode("0200", (r) => r.integer()),
      /empty INTEGER/,
    )
    expectLeft(
      decode("0202007f", (r) => r.integer()),
      /non-minimal/,
    )
    expectLeft(
      decode("02020000", (r) => r.integer()),
      /non-minimal/,
    )
    expectLeft(
      decode("0202ff80", (r) => r.integer()),
      /non-minimal/,
    )
    expectLeft(
      decode("0202ffff", (r) => r.integer()),
      /non-minimal/,
    )
  })

  it("unsignedInteger and smallInteger check sign and range", () => {
    expectLeft(
      decode("0201ff", (r) => r.unsignedInteger()),
      /negative/,
    )
    expect(expectRight(decode("02020080", (r) => r.unsignedInteger()))).toBe(128n)
    expectLeft(
      decode("0201ff", (r) => r.smallInteger()),
      /negative/,
    )
    expect(expectRight(decode("020203e8", (r) => r.smallInteger(1000)))).toBe(1000)
    expectLeft(
      decode("020203e9", (r) => r.smallInteger(1000)),
      /above 1000/,
    )
    expectLeft(
      decode("0208 7fffffffffffffff", (r) => r.smallInteger()),
      /out of range/,
    )
    expectLeft(
      decode("0205 0080000000", (r) => r.smallInteger()),
      /above/,
    )
  })

  it.prop("derInteger round-trips through integer()", [fc.bigInt()], ([value]) => {
    const encoded = derInteger(value)
    expect(expectRight(decodeDer(encoded, (r) => r.integer()))).toBe(value)
  })
})

describe("DerReader: OBJECT IDENTIFIER", () => {
  it("decodes known OIDs", () => {
    expect(expectRight(decode("06092a864886f70d010101", (r) => r.oid()))).toBe("1.2.840.113549.1.1.1")
    expect(expectRight(decode("0603550403", (r) => r.oid()))).toBe("2.5.4.3")
    expect(expectRight(decode("06032b6570", (r) => r.oid()))).toBe("1.3.101.112")
    expect(expectRight(decode("0603883703", (r) => r.oid()))).toBe("2.999.3")
    expect(expectRight(decode("060100", (r) => r.oid()))).toBe("0.0")
  })

  it("decodes arcs beyond 2^53 exactly", () => {
    const uuid = "2.25.329800735698586629295641978511506172918"
    expect(expectRight(decodeDer(derOid(uuid), (r) => r.oid()))).toBe(uuid)
    const large = "1.2.9007199254740993"
    expect(expectRight(decodeDer(derOid(large), (r) => r.oid()))).toBe(large)
  })

  it("rejects empty, non-minimal and truncated OIDs", () => {
    expectLeft(
      decode("0600", (r) => r.oid()),
      /empty/,
    )
    expectLeft(
      decode("0603 2a 8001", (r) => r.oid()),
      /non-minimal/,
    )
    expectLeft(
      decode("0602 802a", (r) => r.oid()),
      /non-minimal/,
    )
    expectLeft(
      decode("0602 2a86", (r) => r.oid()),
      /truncated/,
    )
  })

  it.prop(
    "derOid round-trips through oid()",
    [
      fc.oneof(
        fc.tuple(fc.constantFrom(0, 1), fc.integer({ min: 0, max: 39 })),
        fc.tuple(fc.constant(2), fc.bigInt({ min: 0n, max: 1n << 80n })),
      ),
      fc.array(fc.oneof(fc.nat(), fc.bigInt({ min: 0n, max: 1n << 70n })), { maxLength: 8 }),
    ],
    ([[first, second], rest]) => {
      const dotted = [first, second, ...rest].map(String).join(".")
      expect(expectRight(decodeDer(derOid(dotted), (r) => r.oid()))).toBe(dotted)
    },
  )

  it("derOid refuses malformed dotted strings (a programming error)", () => {
    expect(() => derOid("1")).toThrow()
    expect(() => derOid("1.40")).toThrow()
    expect(() => derOid("3.1")).toThrow()
    expect(() => derOid("1.02")).toThrow()
  })
})

describe("DerReader: BIT STRING, OCTET STRING, NULL, BOOLEAN", () => {
  it("reads BIT STRINGs", () => {
    expect(expectRight(decode("0301 00", (r) => r.bitString()))).toEqual({ unusedBits: 0, bytes: new Uint8Array() })
    expect(expectRight(decode("0302 07 80", (r) => r.bitString()))).toEqual({ unusedBits: 7, bytes: bytes("80") })
    expect(expectRight(decode("0303 00 abcd", (r) => r.bitStringBytes()))).toEqual(bytes("abcd"))
  })

  it("rejects non-DER BIT STRINGs", () => {
    expectLeft(
      decode("0300", (r) => r.bitString()),
      /empty BIT STRING/,
    )
    expectLeft(
      decode("0302 08 00", (r) => r.bitString()),
      /more than 7/,
    )
    expectLeft(
      decode("0301 03", (r) => r.bitString()),
      /empty BIT STRING with unused/,
    )
    expectLeft(
      decode("0302 01 81", (r) => r.bitString()),
      /nonzero unused/,
    )
    expectLeft(
      decode("0302 01 80", (r) => r.bitStringBytes()),
      /whole number/,
    )
  })

  it("reads and rejects NULL and BOOLEAN", () => {
    expect(expectRight(decode("0500", (r) => r.null()))).toBeUndefined()
    expectLeft(
      decode("050100", (r) => r.null()),
      /NULL with contents/,
    )
    expect(expectRight(decode("0101ff", (r) => r.boolean()))).toBe(true)
    expect(expectRight(decode("010100", (r) => r.boolean()))).toBe(false)
    expectLeft(
      decode("010101", (r) => r.boolean()),
      /0x00 or 0xff/,
    )
    expectLeft(
      decode("0102ffff", (r) => r.boolean()),
      /one octet/,
    )
    expectLeft(
      decode("0100", (r) => r.boolean()),
      /one octet/,
    )
  })

  it("encoders produce the expected bytes", () => {
    expect(derNull()).toEqual(bytes("0500"))
    expect(derBitString(bytes("04"))).toEqual(bytes("03020004"))
    expect(derOctetString(bytes("01"))).toEqual(bytes("040101"))
    expect(derInteger(0n)).toEqual(bytes("020100"))
    expect(derInteger(128n)).toEqual(bytes("02020080"))
    expect(derInteger(-129n)).toEqual(bytes("0202ff7f"))
    expect(derOid("1.2.840.113549.1.1.1")).toEqual(bytes("06092a864886f70d010101"))
    expect(derSequence()).toEqual(bytes("3000"))
  })
})

describe("decodeDer never throws on hostile input", () => {
  it("walks the real certificate and SPKI", () => {
    expect(Either.isRight(decodeDer(certificate, walk))).toBe(true)
    expect(Either.isRight(decodeDer(rsaSpki, walk))).toBe(true)
  })

  it.prop("random bytes", [fc.uint8Array({ maxLength: 300 })], ([input]) => {
    expect(Either.isEither(decodeDer(input, walk))).toBe(true)
  })

  const mutation = fc.record({
    source: fc.constantFrom(certificate, rsaSpki),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
    cut: fc.option(fc.nat(), { nil: undefined }),
  })

  it.prop(
    "mutations of a certificate and an SPKI",
    [mutation],
    ([{ source, edits, cut }]) => {
      const input = source.slice(0, cut === undefined ? source.length : cut % (source.length + 1))
      for (const [position, value] of edits) if (input.length > 0) input[position % input.length] = value
      expect(Either.isEither(decodeDer(input, walk))).toBe(true)
    },
    { fastCheck: { numRuns: 500 } },
  )
})
