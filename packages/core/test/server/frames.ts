/**
 * Cuts a byte stream into its records by their headers, without decrypting anything: to
 * hand a flight to the client one record at a time, or to see which record types a peer
 * sent.
 */

/** One record as framed: its outer content type and its bytes, header included. */
export interface Frame {
  readonly type: number
  readonly bytes: Uint8Array
}

/** The records of `bytes`; a trailing partial record is returned as it is. */
export const frames = (bytes: Uint8Array): Array<Frame> => {
  const out: Array<Frame> = []
  for (let at = 0; at < bytes.length; ) {
    const length = at + 5 <= bytes.length ? (bytes[at + 3]! << 8) | bytes[at + 4]! : bytes.length
    const end = Math.min(bytes.length, at + 5 + length)
    out.push({ type: bytes[at]!, bytes: bytes.subarray(at, end) })
    at = end
  }
  return out
}

/** The outer content types of the records of `bytes`, in order. */
export const frameTypes = (bytes: Uint8Array): Array<number> => frames(bytes).map((frame) => frame.type)
