/**
 * The noble layer's AES-GCM with the key set up once: its GHASH equals noble's on any key
 * and any AAD / data split, and one key object used for a run of records (as a record layer
 * uses it) seals exactly what noble's one-shot `gcm()` seals, opens what `gcm()` sealed,
 * refuses every single-bit change, and takes its input at any alignment. The Wycheproof
 * vectors (conformance.test.ts) and the cross-layer properties cover it too.
 */
import { describe, expect, it } from "@effect/vitest"
import { GHASH } from "@noble/ciphers/_polyval.js"
import { gcm } from "@noble/ciphers/aes.js"
import fc from "fast-check"
import { keyedAesGcm } from "../src/noble/gcm.js"
import { Ghash, ghashTable } from "../src/noble/ghash.js"
import { toHex } from "./conformance/hex.js"

const bytes = (maxLength: number) => fc.uint8Array({ maxLength })
const exactly = (length: number) => fc.uint8Array({ minLength: length, maxLength: length })

/** noble's GHASH of aad and data, each zero-padded, then the lengths block. */
const nobleGhash = (h: Uint8Array, aad: Uint8Array, data: Uint8Array): Uint8Array => {
  const lengths = new Uint8Array(16)
  const view = new DataView(lengths.buffer)
  view.setBigUint64(0, BigInt(aad.length * 8))
  view.setBigUint64(8, BigInt(data.length * 8))
  const hash = new GHASH(h)
  if (aad.length > 0) hash.update(aad)
  if (data.length > 0) hash.update(data)
  return hash.update(lengths).digest()
}

describe("Ghash", () => {
  it("equals noble's GHASH for any key, AAD and data, and starts over after reset", () => {
    fc.assert(
      fc.property(exactly(16), bytes(80), bytes(300), (h, aad, data) => {
        const ghash = new Ghash(ghashTable(h))
        const out = new Uint8Array(16)
        for (let round = 0; round < 2; round++) {
          ghash.reset()
          ghash.update(aad)
          ghash.update(data)
          ghash.finish(aad.length, data.length, out)
          expect(toHex(out)).toBe(toHex(nobleGhash(h, aad, data)))
        }
      }),
      { numRuns: 300 },
    )
  })

  it("reads blocks at any offset of a larger buffer", () => {
    const h = Uint8Array.from({ length: 16 }, (_, i) => i * 17 + 3)
    const data = Uint8Array.from({ length: 100 }, (_, i) => (i * 31) & 0xff)
    const expected = toHex(nobleGhash(h, new Uint8Array(0), data))
    const ghash = new Ghash(ghashTable(h))
    for (let offset = 0; offset < 8; offset++) {
      const host = new Uint8Array(offset + data.length + 3)
      host.set(data, offset)
      const out = new Uint8Array(16)
      ghash.reset()
      ghash.update(host.subarray(offset, offset + data.length))
      ghash.finish(0, data.length, out)
      expect(toHex(out)).toBe(expected)
    }
  })
})

/** A record: nonce, AAD and plaintext. */
const record = fc.record({ nonce: exactly(12), aad: bytes(13), plaintext: bytes(1100) })

describe("keyedAesGcm", () => {
  it("one key object seals and opens a run of records exactly as noble's gcm() does, from its own copy of the key", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(16, 32),
        exactly(32),
        fc.array(record, { minLength: 1, maxLength: 6 }),
        (length, keyBytes, records) => {
          const key = keyBytes.subarray(0, length)
          // The key is set up at the first use: the caller's bytes may be gone by then.
          const given = key.slice()
          const keyed = keyedAesGcm(given)
          given.fill(0)
          for (const { nonce, aad, plaintext } of records) {
            const expected = gcm(key, nonce, aad).encrypt(plaintext)
            expect(toHex(keyed.seal(nonce, aad, plaintext))).toBe(toHex(expected))
            expect(toHex(keyed.open(nonce, aad, expected) ?? new Uint8Array([1]))).toBe(toHex(plaintext))
          }
        },
      ),
      { numRuns: 150 },
    )
  })

  it("refuses any single flipped bit of the sealed record, the nonce or the AAD, and still opens after", () => {
    const key = Uint8Array.from({ length: 16 }, (_, i) => i)
    const nonce = Uint8Array.from({ length: 12 }, (_, i) => 100 + i)
    const aad = Uint8Array.of(0x17, 0x03, 0x03, 0x00, 0x25)
    const plaintext = Uint8Array.from({ length: 21 }, (_, i) => i * 7)
    const keyed = keyedAesGcm(key)
    const sealed = keyed.seal(nonce, aad, plaintext)
    const flipped = (bytes: Uint8Array, bit: number) => {
      const copy = bytes.slice()
      copy[bit >> 3]! ^= 1 << (bit & 7)
      return copy
    }
    for (let bit = 0; bit < sealed.length * 8; bit++)
      expect(keyed.open(nonce, aad, flipped(sealed, bit))).toBeUndefined()
    for (let bit = 0; bit < nonce.length * 8; bit++)
      expect(keyed.open(flipped(nonce, bit), aad, sealed)).toBeUndefined()
    for (let bit = 0; bit < aad.length * 8; bit++) expect(keyed.open(nonce, flipped(aad, bit), sealed)).toBeUndefined()
    expect(toHex(keyed.open(nonce, aad, sealed)!)).toBe(toHex(plaintext))
  })

  it("takes records and plaintexts at any offset, leaving the caller's bytes unchanged", () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => 255 - i)
    const nonce = new Uint8Array(12).fill(9)
    const aad = Uint8Array.of(1, 2, 3, 4, 5)
    const plaintext = Uint8Array.from({ length: 16400 }, (_, i) => (i * 13) & 0xff)
    const keyed = keyedAesGcm(key)
    const expected = gcm(key, nonce, aad).encrypt(plaintext)
    for (let offset = 0; offset < 8; offset++) {
      const host = new Uint8Array(offset + expected.length)
      host.set(expected, offset)
      const before = toHex(host)
      expect(toHex(keyed.open(nonce, aad, host.subarray(offset))!)).toBe(toHex(plaintext))
      expect(toHex(host)).toBe(before)
      const plainHost = new Uint8Array(offset + plaintext.length)
      plainHost.set(plaintext, offset)
      expect(toHex(keyed.seal(nonce, aad, plainHost.subarray(offset)))).toBe(toHex(expected))
    }
  })
})
