/**
 * Small byte helpers shared by the layers.
 *
 * @since 0.1.0
 */

/** True when every byte is zero. @since 0.1.0 */
export const isAllZero = (bytes: Uint8Array): boolean => {
  let acc = 0
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i]!
  return acc === 0
}

/** Concatenates byte arrays. @since 0.1.0 */
export const concatBytes = (...parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/**
 * A copy of `bytes` in a new `Uint8Array`. Not `bytes.slice()`: on a node `Buffer`, `slice`
 * returns a view of the same memory, so a caller's buffer that is reused would change the
 * "copy".
 *
 * @since 0.1.0
 */
export const copyBytes = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes)
