/**
 * RSA signature verification (RFC 8017) with BigInt arithmetic, since noble has no RSA:
 * RSASSA-PKCS1-v1_5 (section 8.2.2) and RSASSA-PSS with MGF1 (sections 8.1.2 and 9.1.2).
 * Public-key operations only; every malformed input is simply "does not verify".
 *
 * @since 0.1.0
 */
import { bigIntToBytes, bitLength, bytesToBigInt } from "../bigint.js"
import { concatBytes } from "../bytes.js"
import { derNull, derOctetString, derOid, derSequence } from "../der.js"
import { hashOid } from "../oids.js"
import { hashLength, type SignatureHash } from "../TlsCrypto.js"
import { signatureHashFunction } from "./signatureHash.js"

/** The public half of an RSA key. @since 0.1.0 */
export interface RsaPublicKey {
  readonly modulus: bigint
  readonly exponent: bigint
}

/** `base^exponent mod modulus` by left-to-right square-and-multiply (public exponents only: not constant time). */
const modPow = (base: bigint, exponent: bigint, modulus: bigint): bigint => {
  let result = 1n
  for (let bit = BigInt(bitLength(exponent) - 1); bit >= 0n; bit--) {
    result = (result * result) % modulus
    if ((exponent >> bit) & 1n) result = (result * base) % modulus
  }
  return result
}

/**
 * RSAVP1 (RFC 8017 section 5.2.2) on a signature of exactly the modulus length: the
 * message representative as `length` bytes, or `undefined` when the key or signature is
 * out of range or the representative does not fit.
 */
const openSignature = (key: RsaPublicKey, signature: Uint8Array, length: number): Uint8Array | undefined => {
  const { modulus, exponent } = key
  if (modulus < 3n || (modulus & 1n) === 0n || exponent < 1n) return undefined
  if (signature.length !== Math.ceil(bitLength(modulus) / 8)) return undefined
  const s = bytesToBigInt(signature)
  if (s >= modulus) return undefined
  return bigIntToBytes(modPow(s, exponent, modulus), length)
}

/** Byte-wise equality that looks at every byte. */
const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

/**
 * Verifies an RSASSA-PKCS1-v1_5 signature over a message whose `hash` digest is `digest`
 * (RFC 8017 section 8.2.2): the expected EMSA-PKCS1-v1_5 encoding, with a DigestInfo
 * whose parameters are NULL, must equal the opened signature byte for byte.
 *
 * @since 0.1.0
 */
export const rsaVerifyPkcs1 = (
  key: RsaPublicKey,
  hash: SignatureHash,
  digest: Uint8Array,
  signature: Uint8Array,
): boolean => {
  if (digest.length !== hashLength(hash)) return false
  const k = signature.length
  const encoded = openSignature(key, signature, k)
  if (encoded === undefined) return false
  // EMSA-PKCS1-v1_5 (section 9.2): 0x00 0x01 PS(0xff, at least 8) 0x00 DigestInfo
  const digestInfo = derSequence(derSequence(derOid(hashOid[hash]), derNull()), derOctetString(digest))
  if (k < digestInfo.length + 11) return false
  const expected = new Uint8Array(k).fill(0xff)
  expected[0] = 0x00
  expected[1] = 0x01
  expected[k - digestInfo.length - 1] = 0x00
  expected.set(digestInfo, k - digestInfo.length)
  return equalBytes(encoded, expected)
}

/** MGF1 (RFC 8017 appendix B.2.1) with `hash`: `length` bytes of mask from `seed`. */
const mgf1 = (hash: SignatureHash, seed: Uint8Array, length: number): Uint8Array => {
  const digest = signatureHashFunction(hash)
  const hLen = hashLength(hash)
  const mask = new Uint8Array(Math.ceil(length / hLen) * hLen)
  const input = new Uint8Array(seed.length + 4)
  input.set(seed)
  const view = new DataView(input.buffer)
  for (let counter = 0; counter * hLen < length; counter++) {
    view.setUint32(seed.length, counter)
    mask.set(digest(input), counter * hLen)
  }
  return mask.subarray(0, length)
}

/**
 * Verifies an RSASSA-PSS signature with MGF1 over `hash` and exactly `saltLength` bytes of
 * salt, over a message whose `hash` digest is `digest` (RFC 8017 sections 8.1.2 and 9.1.2).
 *
 * @since 0.1.0
 */
export const rsaVerifyPss = (
  key: RsaPublicKey,
  hash: SignatureHash,
  saltLength: number,
  digest: Uint8Array,
  signature: Uint8Array,
): boolean => {
  const hLen = hashLength(hash)
  if (digest.length !== hLen || !Number.isSafeInteger(saltLength) || saltLength < 0) return false
  const emBits = bitLength(key.modulus) - 1
  const emLen = Math.ceil(emBits / 8)
  // Step 2 of 8.1.2 fails when the representative needs more than emLen bytes.
  const em = openSignature(key, signature, emLen)
  if (em === undefined) return false
  // EMSA-PSS-VERIFY (section 9.1.2), steps 3 to 14.
  if (emLen < hLen + saltLength + 2) return false
  if (em[emLen - 1] !== 0xbc) return false
  const dbLength = emLen - hLen - 1
  const h = em.subarray(dbLength, emLen - 1)
  const topMask = 0xff >> (8 * emLen - emBits)
  if ((em[0]! & ~topMask) !== 0) return false
  const db = mgf1(hash, h, dbLength)
  for (let i = 0; i < dbLength; i++) db[i]! ^= em[i]!
  db[0]! &= topMask
  const separator = dbLength - saltLength - 1
  for (let i = 0; i < separator; i++) if (db[i] !== 0) return false
  if (db[separator] !== 0x01) return false
  const prime = concatBytes(new Uint8Array(8), digest, db.subarray(dbLength - saltLength))
  return equalBytes(signatureHashFunction(hash)(prime), h)
}
