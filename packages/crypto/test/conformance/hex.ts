/**
 * Hex helpers for the conformance suite: Wycheproof writes every byte string as hex, and
 * mismatch reports print bytes as hex so they can be pasted back into a vector file.
 */

/** Decodes a hex string from a vector file into plain bytes. */
export const fromHex = (hex: string): Uint8Array => {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new Error(`not a hex string: ${hex.slice(0, 40)}`)
  }
  return Uint8Array.from(Buffer.from(hex, "hex"))
}

/** Encodes bytes as lowercase hex. */
export const toHex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")

/**
 * A big-endian integer as exactly `size` bytes: leading zero bytes are dropped (Wycheproof
 * may prefix a 00 sign byte) and the rest is left-padded. `undefined` when it does not fit.
 */
export const fixedWidth = (bytes: Uint8Array, size: number): Uint8Array | undefined => {
  let start = 0
  while (start < bytes.length && bytes[start] === 0) start++
  const significant = bytes.length - start
  if (significant > size) return undefined
  const out = new Uint8Array(size)
  out.set(bytes.subarray(start), size - significant)
  return out
}
