/**
 * Lowercase hexadecimal text of bytes, for messages, RFC 4514 `#` values and map keys.
 *
 * @since 0.1.0
 */

/** `bytes` as lowercase hex, two digits a byte. @since 0.1.0 */
export const toHex = (bytes: Uint8Array): string => {
  let text = ""
  for (let i = 0; i < bytes.length; i++) text += bytes[i]!.toString(16).padStart(2, "0")
  return text
}

/** True when `a` and `b` hold the same bytes. @since 0.1.0 */
export const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
