/**
 * A strict DER (ITU-T X.690) reader for keys, signatures and X.509, and the few DER
 * encoders the crypto layer needs. The reader accepts exactly the distinguished encoding:
 * definite minimal lengths, low tag numbers, minimal integers and OID arcs, bounded
 * nesting and no trailing bytes. It throws `DerError` internally; `decodeDer` turns that
 * into a typed result.
 *
 * @since 0.1.0
 */
import { Data, Either } from "effect"
import { bigIntToBytes, bitLength, bytesToBigInt } from "./bigint.js"
import { concatBytes } from "./bytes.js"

/**
 * Input that is not valid DER or does not match the expected structure.
 *
 * @since 0.1.0
 * @category errors
 */
export class DerError extends Data.TaggedError("DerError")<{ readonly detail: string }> {
  override get message(): string {
    return `invalid DER: ${this.detail}`
  }
}

/**
 * Identifier octets of the universal types in use (low-tag-number form; constructed
 * types include bit 0x20).
 *
 * @since 0.1.0
 * @category tags
 */
export const DerTag = {
  Boolean: 0x01,
  Integer: 0x02,
  BitString: 0x03,
  OctetString: 0x04,
  Null: 0x05,
  ObjectIdentifier: 0x06,
  Utf8String: 0x0c,
  PrintableString: 0x13,
  TeletexString: 0x14,
  Ia5String: 0x16,
  UtcTime: 0x17,
  GeneralizedTime: 0x18,
  UniversalString: 0x1c,
  BmpString: 0x1e,
  Sequence: 0x30,
  Set: 0x31,
} as const

/**
 * The identifier octet of a context-specific tag `[n]` (n in 0..30).
 *
 * @since 0.1.0
 * @category tags
 */
export const contextTag = (n: number, constructed: boolean): number => 0x80 | (constructed ? 0x20 : 0) | n

/** Deepest nesting of constructed values a reader follows. @since 0.1.0 */
export const MAX_DER_DEPTH = 32

/**
 * One decoded element. `value` (the contents) and `raw` (the whole tag-length-value) are
 * views into the input, not copies.
 *
 * @since 0.1.0
 */
export interface DerElement {
  readonly tag: number
  readonly value: Uint8Array
  readonly raw: Uint8Array
}

/** A DER BIT STRING: its bytes and how many trailing bits of the last byte are unused. @since 0.1.0 */
export interface DerBitString {
  readonly unusedBits: number
  readonly bytes: Uint8Array
}

const fail = (detail: string): never => {
  throw new DerError({ detail })
}

const hex = (tag: number): string => `0x${tag.toString(16).padStart(2, "0")}`

/**
 * A cursor over DER elements that share one parent. Every read either returns a value or
 * throws `DerError`; run readers through `decodeDer` to get an `Either`.
 *
 * @since 0.1.0
 */
export class DerReader {
  private offset = 0
  private depth = 0

  /** A reader over `bytes`, which must hold a series of complete DER elements. */
  constructor(private readonly bytes: Uint8Array) {}

  /** True when every element has been read. */
  atEnd(): boolean {
    return this.offset >= this.bytes.length
  }

  /** The identifier octet of the next element, or `undefined` at the end. */
  peekTag(): number | undefined {
    return this.bytes[this.offset]
  }

  /** Fails unless every element has been read (no trailing bytes). */
  end(): void {
    if (!this.atEnd()) fail(`${this.bytes.length - this.offset} trailing bytes`)
  }

  /** The next element; with `tag`, fails unless the element has that identifier octet. */
  element(tag?: number): DerElement {
    const bytes = this.bytes
    const start = this.offset
    const found = bytes[start]
    if (found === undefined) return fail(tag === undefined ? "missing element" : `missing element ${hex(tag)}`)
    if ((found & 0x1f) === 0x1f) fail("high-tag-number form")
    if (found === 0) fail("reserved tag 0x00")
    if (tag !== undefined && found !== tag) fail(`expected tag ${hex(tag)}, found ${hex(found)}`)
    const first = bytes[start + 1]
    if (first === undefined) return fail("missing length")
    let headerLength = 2
    let length = first
    if (first >= 0x80) {
      const count = first & 0x7f
      if (count === 0) fail("indefinite length")
      if (count > 4) fail("length of more than 4 octets")
      if (start + 2 + count > bytes.length) fail("truncated length")
      if (bytes[start + 2] === 0) fail("length with a leading zero octet")
      length = 0
      for (let i = 0; i < count; i++) length = length * 256 + bytes[start + 2 + i]!
      if (length < 0x80) fail("long-form length below 128")
      headerLength = 2 + count
    }
    const valueStart = start + headerLength
    if (length > bytes.length - valueStart) fail("length beyond the enclosing element")
    const end = valueStart + length
    this.offset = end
    return { tag: found, value: bytes.subarray(valueStart, end), raw: bytes.subarray(start, end) }
  }

  /** `read(this)` when the next element has identifier `tag`, else `undefined` (nothing is consumed). */
  optional<A>(tag: number, read: (reader: DerReader) => A): A | undefined {
    return this.peekTag() === tag ? read(this) : undefined
  }

  /** A reader over the contents of the next element, which must have the constructed identifier `tag`. */
  constructed(tag: number): DerReader {
    return this.child(this.element(tag).value)
  }

  /** A reader over the contents of the next SEQUENCE. */
  sequence(): DerReader {
    return this.constructed(DerTag.Sequence)
  }

  /** A reader over the contents of the next SET (the order of its members is not checked). */
  set(): DerReader {
    return this.constructed(DerTag.Set)
  }

  /** A reader over the contents of the next context-specific constructed `[n]`, as EXPLICIT tagging makes. */
  explicit(n: number): DerReader {
    return this.constructed(contextTag(n, true))
  }

  /** Like `sequence`, or `undefined` when the next element is not a SEQUENCE. */
  optionalSequence(): DerReader | undefined {
    return this.optional(DerTag.Sequence, (reader) => reader.sequence())
  }

  /** Like `explicit(n)`, or `undefined` when the next element is not `[n]` constructed. */
  optionalExplicit(n: number): DerReader | undefined {
    return this.optional(contextTag(n, true), (reader) => reader.explicit(n))
  }

  /** A reader over the contents of the next OCTET STRING, for DER encapsulated in it. */
  octetStringReader(): DerReader {
    return this.child(this.octetString())
  }

  /** A reader over the contents of the next BIT STRING (no unused bits), for DER encapsulated in it. */
  bitStringReader(): DerReader {
    return this.child(this.bitStringBytes())
  }

  /**
   * The contents of the next INTEGER: minimal two's complement, at least one octet. A
   * leading 0x00 means the value is non-negative and its next octet is >= 0x80.
   */
  integerBytes(): Uint8Array {
    const value = this.element(DerTag.Integer).value
    const first = value[0]
    if (first === undefined) return fail("empty INTEGER")
    const second = value[1]
    if (second !== undefined && ((first === 0x00 && second < 0x80) || (first === 0xff && second >= 0x80))) {
      fail("non-minimal INTEGER")
    }
    return value
  }

  /** The next INTEGER. */
  integer(): bigint {
    const value = this.integerBytes()
    const magnitude = bytesToBigInt(value)
    return value[0]! >= 0x80 ? magnitude - (1n << BigInt(8 * value.length)) : magnitude
  }

  /** The next INTEGER, which must not be negative. */
  unsignedInteger(): bigint {
    const value = this.integer()
    if (value < 0n) fail("negative INTEGER")
    return value
  }

  /** The next INTEGER as a number in `0..max` (by default up to 2^31 - 1). */
  smallInteger(max: number = 0x7fffffff): number {
    const value = this.integerBytes()
    if (value[0]! >= 0x80) fail("negative INTEGER")
    if (value.length > 7) fail("INTEGER out of range")
    let result = 0
    for (const byte of value) result = result * 256 + byte
    if (result > max) fail(`INTEGER ${result} above ${max}`)
    return result
  }

  /** The next OBJECT IDENTIFIER in dotted form, e.g. "1.2.840.10045.2.1". */
  oid(): string {
    const value = this.element(DerTag.ObjectIdentifier).value
    if (value.length === 0) fail("empty OBJECT IDENTIFIER")
    const arcs: Array<string> = []
    let i = 0
    while (i < value.length) {
      if (value[i] === 0x80) fail("non-minimal OBJECT IDENTIFIER arc")
      let small = 0
      let big: bigint | undefined
      let byte: number
      do {
        byte = value[i++]!
        if (big === undefined && small < 2 ** 45) small = small * 128 + (byte & 0x7f)
        else big = (big ?? BigInt(small)) * 128n + BigInt(byte & 0x7f)
      } while (byte >= 0x80 && i < value.length)
      if (byte >= 0x80) fail("truncated OBJECT IDENTIFIER")
      if (arcs.length > 0) arcs.push(String(big ?? small))
      else {
        // The first subidentifier packs the first two arcs as 40 * first + second.
        const top = big !== undefined || small >= 80 ? 2 : small >= 40 ? 1 : 0
        arcs.push(String(top), String(big !== undefined ? big - 80n : small - 40 * top))
      }
    }
    return arcs.join(".")
  }

  /** The contents of the next OCTET STRING. */
  octetString(): Uint8Array {
    return this.element(DerTag.OctetString).value
  }

  /** The next BIT STRING: 0..7 unused bits (0 when empty), and the unused bits must be zero. */
  bitString(): DerBitString {
    const value = this.element(DerTag.BitString).value
    const unusedBits = value[0]
    if (unusedBits === undefined) return fail("empty BIT STRING")
    if (unusedBits > 7) fail("BIT STRING with more than 7 unused bits")
    if (unusedBits > 0) {
      if (value.length === 1) fail("empty BIT STRING with unused bits")
      if ((value[value.length - 1]! & ((1 << unusedBits) - 1)) !== 0) fail("BIT STRING with nonzero unused bits")
    }
    return { unusedBits, bytes: value.subarray(1) }
  }

  /** The bytes of the next BIT STRING, which must be a whole number of octets. */
  bitStringBytes(): Uint8Array {
    const { bytes, unusedBits } = this.bitString()
    if (unusedBits !== 0) fail("BIT STRING that is not a whole number of octets")
    return bytes
  }

  /** Reads a NULL. */
  null(): void {
    if (this.element(DerTag.Null).value.length !== 0) fail("NULL with contents")
  }

  /** The next BOOLEAN (DER allows only 0x00 and 0xff). */
  boolean(): boolean {
    const value = this.element(DerTag.Boolean).value
    if (value.length !== 1) fail("BOOLEAN of other than one octet")
    if (value[0] === 0xff) return true
    if (value[0] !== 0x00) fail("BOOLEAN other than 0x00 or 0xff")
    return false
  }

  private child(bytes: Uint8Array): DerReader {
    if (this.depth >= MAX_DER_DEPTH) fail(`nesting deeper than ${MAX_DER_DEPTH}`)
    const reader = new DerReader(bytes)
    reader.depth = this.depth + 1
    return reader
  }
}

/**
 * Runs `read` over `bytes` and requires that it consumes all of them. A `DerError` thrown
 * by the reader becomes a `Left`; any other exception is a bug and propagates.
 *
 * @since 0.1.0
 */
export const decodeDer = <A>(bytes: Uint8Array, read: (reader: DerReader) => A): Either.Either<A, DerError> => {
  try {
    const reader = new DerReader(bytes)
    const result = read(reader)
    reader.end()
    return Either.right(result)
  } catch (error) {
    if (error instanceof DerError) return Either.left(error)
    throw error
  }
}

// ---------------------------------------------------------------------------------------
// Encoders

const encodeLength = (length: number): Uint8Array => {
  if (length < 0x80) return Uint8Array.of(length)
  const octets: Array<number> = []
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256)
  return Uint8Array.of(0x80 | octets.length, ...octets)
}

/**
 * One element: identifier, minimal definite length, contents.
 *
 * @since 0.1.0
 * @category encoders
 */
export const derElement = (tag: number, contents: Uint8Array): Uint8Array =>
  concatBytes(Uint8Array.of(tag), encodeLength(contents.length), contents)

/** A SEQUENCE of already encoded elements. @since 0.1.0 @category encoders */
export const derSequence = (...elements: ReadonlyArray<Uint8Array>): Uint8Array =>
  derElement(DerTag.Sequence, concatBytes(...elements))

/** An INTEGER in minimal two's complement. @since 0.1.0 @category encoders */
export const derInteger = (value: bigint): Uint8Array => {
  // The magnitude bits (of -value - 1 when negative) plus a sign bit, rounded up to octets.
  const length = Math.floor(bitLength(value >= 0n ? value : -value - 1n) / 8) + 1
  const twosComplement = value >= 0n ? value : value + (1n << BigInt(8 * length))
  return derElement(DerTag.Integer, bigIntToBytes(twosComplement, length)!)
}

const base128 = (arc: bigint): Array<number> => {
  const octets = [Number(arc & 0x7fn)]
  for (let rest = arc >> 7n; rest > 0n; rest >>= 7n) octets.unshift(Number(rest & 0x7fn) | 0x80)
  return octets
}

/**
 * An OBJECT IDENTIFIER from its dotted form. The OIDs encoded are constants of this code,
 * so a malformed one is a bug and throws.
 *
 * @since 0.1.0
 * @category encoders
 */
export const derOid = (dotted: string): Uint8Array => {
  const arcs = dotted.split(".").map((arc) => {
    if (!/^(0|[1-9][0-9]*)$/.test(arc)) throw new Error(`malformed OID ${dotted}`)
    return BigInt(arc)
  })
  const [first, second, ...rest] = arcs
  if (first === undefined || second === undefined || first > 2n || (first < 2n && second >= 40n)) {
    throw new Error(`malformed OID ${dotted}`)
  }
  const octets = [first * 40n + second, ...rest].flatMap(base128)
  return derElement(DerTag.ObjectIdentifier, Uint8Array.from(octets))
}

/** An OCTET STRING. @since 0.1.0 @category encoders */
export const derOctetString = (bytes: Uint8Array): Uint8Array => derElement(DerTag.OctetString, bytes)

/** A BIT STRING of whole octets (no unused bits). @since 0.1.0 @category encoders */
export const derBitString = (bytes: Uint8Array): Uint8Array =>
  derElement(DerTag.BitString, concatBytes(Uint8Array.of(0), bytes))

/** A NULL. @since 0.1.0 @category encoders */
export const derNull = (): Uint8Array => Uint8Array.of(DerTag.Null, 0)
