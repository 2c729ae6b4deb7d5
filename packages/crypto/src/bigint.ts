/**
 * Conversions between big-endian unsigned bytes and `bigint` (RFC 8017 OS2IP / I2OSP),
 * shared by the DER integer codec and the BigInt RSA arithmetic.
 *
 * @since 0.1.0
 */
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"

/** The unsigned big-endian integer in `bytes` (OS2IP); 0 for no bytes. @since 0.1.0 */
export const bytesToBigInt = (bytes: Uint8Array): bigint => (bytes.length === 0 ? 0n : BigInt(`0x${bytesToHex(bytes)}`))

/**
 * `value` as exactly `length` big-endian bytes (I2OSP), or `undefined` when it is negative
 * or does not fit.
 *
 * @since 0.1.0
 */
export const bigIntToBytes = (value: bigint, length: number): Uint8Array | undefined => {
  if (value < 0n) return undefined
  const hex = value.toString(16)
  if (hex.length > 2 * length) return undefined
  return hexToBytes(hex.padStart(2 * length, "0"))
}

/** The minimal number of bytes that hold the non-negative `value` (0 for zero). @since 0.1.0 */
export const byteLength = (value: bigint): number => Math.ceil(bitLength(value) / 8)

/** The number of significant bits of the non-negative `value` (0 for zero). @since 0.1.0 */
export const bitLength = (value: bigint): number => {
  if (value <= 0n) return 0
  const hex = value.toString(16)
  return (hex.length - 1) * 4 + (32 - Math.clz32(Number.parseInt(hex[0]!, 16)))
}
