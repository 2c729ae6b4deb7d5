/**
 * A growing byte buffer for encoding: fixed-width integers, raw bytes, and length-prefixed
 * vectors whose prefix is reserved first and patched once the contents are written.
 * Encoding only sees values we built ourselves, so a value that breaks a vector's
 * `<min..max>` bound is a bug and throws a `RangeError`.
 *
 * @since 0.1.0
 */

/**
 * An append-only writer over a preallocated buffer that doubles when full.
 *
 * @since 0.1.0
 */
export class ByteWriter {
  private buf: Uint8Array
  private pos = 0

  constructor(capacity = 256) {
    this.buf = new Uint8Array(Math.max(16, capacity))
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos
  }

  private reserve(n: number): number {
    const at = this.pos
    const needed = at + n
    if (needed > this.buf.length) {
      let size = this.buf.length * 2
      while (size < needed) size *= 2
      const grown = new Uint8Array(size)
      grown.set(this.buf.subarray(0, at))
      this.buf = grown
    }
    this.pos = needed
    return at
  }

  /** Writes one byte. */
  u8(value: number): this {
    const at = this.reserve(1)
    this.buf[at] = value
    return this
  }

  /** Writes a big-endian 16-bit integer. */
  u16(value: number): this {
    const at = this.reserve(2)
    this.buf[at] = value >>> 8
    this.buf[at + 1] = value
    return this
  }

  /** Writes a big-endian 24-bit integer. */
  u24(value: number): this {
    const at = this.reserve(3)
    this.buf[at] = value >>> 16
    this.buf[at + 1] = value >>> 8
    this.buf[at + 2] = value
    return this
  }

  /** Writes a big-endian 32-bit integer. */
  u32(value: number): this {
    const at = this.reserve(4)
    this.buf[at] = value >>> 24
    this.buf[at + 1] = value >>> 16
    this.buf[at + 2] = value >>> 8
    this.buf[at + 3] = value
    return this
  }

  /** Writes bytes as they are. */
  bytes(value: Uint8Array): this {
    const at = this.reserve(value.length)
    this.buf.set(value, at)
    return this
  }

  private prefixed(width: 1 | 2 | 3, min: number, max: number, contents: (writer: this) => void): this {
    const at = this.reserve(width)
    contents(this)
    const length = this.pos - at - width
    if (length < min || length > Math.min(max, 2 ** (8 * width) - 1))
      throw new RangeError(`vector length ${length} not in <${min}..${max}>`)
    for (let i = width - 1, v = length; i >= 0; i--, v >>>= 8) this.buf[at + i] = v
    return this
  }

  /** Writes a vector with a 1-byte length prefix, patched after `contents` ran. */
  lengthPrefixed8(contents: (writer: this) => void, min = 0, max = 0xff): this {
    return this.prefixed(1, min, max, contents)
  }

  /** Writes a vector with a 2-byte length prefix, patched after `contents` ran. */
  lengthPrefixed16(contents: (writer: this) => void, min = 0, max = 0xffff): this {
    return this.prefixed(2, min, max, contents)
  }

  /** Writes a vector with a 3-byte length prefix, patched after `contents` ran. */
  lengthPrefixed24(contents: (writer: this) => void, min = 0, max = 0xffffff): this {
    return this.prefixed(3, min, max, contents)
  }

  /** The bytes written, as a subarray of the buffer (no copy; later writes never change them). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos)
  }
}
