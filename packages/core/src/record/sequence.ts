/**
 * The 64-bit record sequence number of one traffic key and the per-record nonce made from it
 * (RFC 8446 section 5.3). The number is kept as two 32-bit halves, so every value up to
 * 2^64 - 1 is exact without BigInt arithmetic per record.
 *
 * @since 0.1.0
 */

const two32 = 0x1_0000_0000

/** A record sequence number, starting at 0 for each new key. @since 0.1.0 */
export class SequenceNumber {
  private high: number
  private low: number
  private wrapped = false

  /** `initial` (default 0) is taken modulo 2^64; tests use it to reach the wrap-around. */
  constructor(initial = 0n) {
    const value = BigInt.asUintN(64, initial)
    this.high = Number(value >> 32n)
    this.low = Number(value & 0xffff_ffffn)
  }

  /** An independent copy at the same position (to save and restore a connection's state). */
  clone(): SequenceNumber {
    const copy = new SequenceNumber()
    copy.high = this.high
    copy.low = this.low
    copy.wrapped = this.wrapped
    return copy
  }

  /** The sequence number of the next record. */
  get value(): bigint {
    return (BigInt(this.high) << 32n) | BigInt(this.low)
  }

  /** How many records came before the next one, as a number (exact below 2^53). */
  get count(): number {
    return this.high * two32 + this.low
  }

  /** True once record 2^64 - 1 has been processed: no nonce is left for this key. */
  get exhausted(): boolean {
    return this.wrapped
  }

  /** Moves to the next record. */
  advance(): void {
    if (this.low !== 0xffff_ffff) {
      this.low++
      return
    }
    this.low = 0
    if (this.high !== 0xffff_ffff) this.high++
    else {
      this.high = 0
      this.wrapped = true
    }
  }

  /**
   * The nonce of the next record, written into `out` (the IV's length): `iv` XOR the
   * sequence number in network order, left-padded with zeros to the IV's length.
   */
  nonce(iv: Uint8Array, out: Uint8Array): Uint8Array {
    out.set(iv)
    const high = iv.length - 8
    const low = iv.length - 4
    for (let i = 0; i < 4; i++) {
      const shift = 24 - 8 * i
      out[high + i] = out[high + i]! ^ ((this.high >>> shift) & 0xff)
      out[low + i] = out[low + i]! ^ ((this.low >>> shift) & 0xff)
    }
    return out
  }
}
