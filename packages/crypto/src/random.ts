/**
 * Where randomness comes from. A layer is built over a `RandomSource`, so that the
 * deterministic testing layer can replace it and answer each draw by its purpose.
 *
 * @since 0.1.0
 */
import type { RandomPurpose } from "./TlsCrypto.js"

/** A source of random bytes, told why they are drawn. @since 0.1.0 */
export type RandomSource = (length: number, purpose: RandomPurpose) => Uint8Array

const maxDraw = 65536

/**
 * The platform's CSPRNG (`globalThis.crypto.getRandomValues`, present in Node 20, browsers,
 * workers, Deno and Bun).
 *
 * @since 0.1.0
 */
export const systemRandom: RandomSource = (length) => {
  const out = new Uint8Array(length)
  for (let offset = 0; offset < length; offset += maxDraw) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + maxDraw)))
  }
  return out
}
