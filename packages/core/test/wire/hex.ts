/**
 * Hex helpers for the wire tests.
 */

/** The bytes of a hex string (even length, no separators). */
export const fromHex = (hex: string): Uint8Array =>
  Uint8Array.from(hex.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16))

/** Lowercase hex of `bytes`, for readable failures. */
export const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")

/** Concatenates byte arrays (the crypto package's `concatBytes`). */
export { concatBytes as concat } from "@effect-tls/crypto"
