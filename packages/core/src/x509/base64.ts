/**
 * Strict base64 decoding (RFC 4648 section 4) for PEM bodies: the standard alphabet,
 * padding only at the end, a length that is a multiple of four, and zero unused bits.
 *
 * @since 0.1.0
 */

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
const values = new Int8Array(128).fill(-1)
for (let i = 0; i < alphabet.length; i++) values[alphabet.charCodeAt(i)] = i

/**
 * The bytes `text` encodes, or `undefined` when it is not canonical base64 (whitespace
 * must already be removed).
 *
 * @since 0.1.0
 */
export const decodeBase64 = (text: string): Uint8Array | undefined => {
  if (text.length % 4 !== 0) return undefined
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0
  const out = new Uint8Array((text.length / 4) * 3 - padding)
  const symbols = text.length - padding
  let accumulator = 0
  let bits = 0
  let written = 0
  for (let i = 0; i < symbols; i++) {
    const code = text.charCodeAt(i)
    const value = code < 128 ? values[code]! : -1
    if (value < 0) return undefined
    accumulator = ((accumulator << 6) | value) & 0xffffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[written++] = (accumulator >> bits) & 0xff
    }
  }
  // The bits left over after the last whole byte must be zero.
  if ((accumulator & ((1 << bits) - 1)) !== 0) return undefined
  return out
}
