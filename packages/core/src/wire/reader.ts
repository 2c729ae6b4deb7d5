/**
 * A bounded cursor over bytes for the TLS presentation language (RFC 8446 section 3):
 * fixed-width integers and length-prefixed vectors whose lengths are checked against what
 * remains and against the `<a..b>` bounds BEFORE anything is sliced. Codecs run plain code
 * that throws `DecodeError`; `decodeWith` is the edge that turns it into an `Either`.
 *
 * @since 0.1.0
 */
import { Data, Either } from "effect"
import { AlertDescription } from "./codes.js"

/**
 * Input that cannot be decoded, with the alert RFC 8446 prescribes for it
 * (decode_error unless the codec says otherwise).
 *
 * @since 0.1.0
 */
export class DecodeError extends Data.TaggedError("DecodeError")<{ readonly alert: number; readonly detail: string }> {
  override get message(): string {
    return this.detail
  }
}

/**
 * Throws a `DecodeError`; for use inside codecs run by `decodeWith`.
 *
 * @since 0.1.0
 */
export const fail = (alert: number, detail: string): never => {
  throw new DecodeError({ alert, detail })
}

/**
 * A read cursor over `input[start, end)`. Slices are subarrays (no copies) and every read
 * checks its length first, so hostile lengths never cause an allocation.
 *
 * @since 0.1.0
 */
export class ByteReader {
  private pos: number
  private readonly limit: number

  constructor(
    private readonly input: Uint8Array,
    start = 0,
    end = input.length,
  ) {
    this.pos = start
    this.limit = end
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.limit - this.pos
  }

  /** True when every byte has been read. */
  atEnd(): boolean {
    return this.pos === this.limit
  }

  /** Fails with decode_error if any byte is left (trailing data). */
  end(): void {
    if (this.pos !== this.limit) fail(AlertDescription.decode_error, `${this.limit - this.pos} trailing bytes`)
  }

  private need(n: number): number {
    const at = this.pos
    if (n > this.limit - at) fail(AlertDescription.decode_error, `truncated: need ${n} bytes, ${this.limit - at} left`)
    this.pos = at + n
    return at
  }

  /** Reads one byte. */
  u8(): number {
    return this.input[this.need(1)]!
  }

  /** Reads a big-endian 16-bit integer. */
  u16(): number {
    const at = this.need(2)
    return (this.input[at]! << 8) | this.input[at + 1]!
  }

  /** Reads a big-endian 24-bit integer. */
  u24(): number {
    const at = this.need(3)
    return (this.input[at]! << 16) | (this.input[at + 1]! << 8) | this.input[at + 2]!
  }

  /** Reads a big-endian 32-bit unsigned integer. */
  u32(): number {
    const at = this.need(4)
    return (
      ((this.input[at]! << 24) | (this.input[at + 1]! << 16) | (this.input[at + 2]! << 8) | this.input[at + 3]!) >>> 0
    )
  }

  /** Reads `n` bytes as a subarray of the input (no copy). */
  bytes(n: number): Uint8Array {
    const at = this.need(n)
    return this.input.subarray(at, at + n)
  }

  private vector(length: number, min: number, max: number): ByteReader {
    if (length > this.limit - this.pos) {
      fail(AlertDescription.decode_error, `length prefix ${length} past the end (${this.limit - this.pos} left)`)
    }
    if (length < min || length > max)
      fail(AlertDescription.decode_error, `vector length ${length} not in <${min}..${max}>`)
    const at = this.need(length)
    return new ByteReader(this.input, at, at + length)
  }

  /** Reads a vector with a 1-byte length in `<min..max>` and returns a reader over its contents. */
  vector8(min = 0, max = 0xff): ByteReader {
    return this.vector(this.u8(), min, max)
  }

  /** Reads a vector with a 2-byte length in `<min..max>` and returns a reader over its contents. */
  vector16(min = 0, max = 0xffff): ByteReader {
    return this.vector(this.u16(), min, max)
  }

  /** Reads a vector with a 3-byte length in `<min..max>` and returns a reader over its contents. */
  vector24(min = 0, max = 0xffffff): ByteReader {
    return this.vector(this.u24(), min, max)
  }

  /** The unread bytes as a subarray, consuming them. */
  rest(): Uint8Array {
    return this.bytes(this.remaining)
  }
}

/**
 * Runs `decode` over all of `bytes` (trailing bytes are rejected). Only `DecodeError` is
 * caught: any other exception is a bug and propagates.
 *
 * @since 0.1.0
 */
export const decodeWith = <A>(bytes: Uint8Array, decode: (reader: ByteReader) => A): Either.Either<A, DecodeError> => {
  try {
    const reader = new ByteReader(bytes)
    const value = decode(reader)
    reader.end()
    return Either.right(value)
  } catch (error) {
    if (error instanceof DecodeError) return Either.left(error)
    throw error
  }
}
