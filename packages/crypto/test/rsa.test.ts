// Tests of the BigInt RSA verification against node:crypto: PKCS#1 v1.5 and PSS signatures
// from 1024 to 8192 bits verify; tampered signatures, digests, hashes and salt lengths fail;
// hand-built encodings (through the raw RSA operation) check each padding rule.
import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  privateEncrypt,
  sign,
} from "node:crypto"
import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { type RsaPublicKey, rsaVerifyPkcs1, rsaVerifyPss } from "../src/noble/rsa.js"
import { hashLength, type SignatureHash } from "../src/TlsCrypto.js"

const nodeHash = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" } as const
const hashes: ReadonlyArray<SignatureHash> = ["SHA-1", "SHA-256", "SHA-384", "SHA-512"]

const digestOf = (hash: SignatureHash, message: Uint8Array): Uint8Array =>
  new Uint8Array(createHash(nodeHash[hash]).update(message).digest())

const toBigInt = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).toString("hex")}`)

interface Pair {
  readonly bits: number
  readonly privateKey: KeyObject
  readonly key: RsaPublicKey
}

const pairOf = (privateKey: KeyObject): Pair => {
  const jwk = createPublicKey(privateKey).export({ format: "jwk" })
  const modulus = toBigInt(Buffer.from(jwk.n!, "base64url"))
  return {
    bits: modulus.toString(2).length,
    privateKey,
    key: { modulus, exponent: toBigInt(Buffer.from(jwk.e!, "base64url")) },
  }
}

const generate = (bits: number): Pair => pairOf(generateKeyPairSync("rsa", { modulusLength: bits }).privateKey)

const rsa8192 = pairOf(createPrivateKey(readFileSync(new URL("./fixtures/keys/rsa-8192.pem", import.meta.url), "utf8")))
const pairs: ReadonlyArray<Pair> = [generate(1024), generate(2048), generate(3072), generate(4096), rsa8192]
const pair2048 = pairs[1]!

const message = new TextEncoder().encode("effect-tls RSA test message")

const signPkcs1 = (pair: Pair, hash: SignatureHash, data: Uint8Array = message): Uint8Array =>
  new Uint8Array(sign(nodeHash[hash], data, pair.privateKey))

const signPss = (pair: Pair, hash: SignatureHash, saltLength: number, data: Uint8Array = message): Uint8Array =>
  new Uint8Array(
    sign(nodeHash[hash], data, { key: pair.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }),
  )

/** The raw RSA private-key operation on a hand-built encoded message of the modulus length. */
const rawSign = (pair: Pair, encoded: Uint8Array): Uint8Array =>
  new Uint8Array(privateEncrypt({ key: pair.privateKey, padding: constants.RSA_NO_PADDING }, encoded))

const flip = (bytes: Uint8Array, index: number, mask = 0x01): Uint8Array => {
  const copy = bytes.slice()
  copy[index] = copy[index]! ^ mask
  return copy
}

const pssFits = (pair: Pair, hash: SignatureHash, saltLength: number): boolean =>
  Math.ceil((pair.bits - 1) / 8) >= hashLength(hash) + saltLength + 2

describe("rsaVerifyPkcs1", () => {
  for (const pair of pairs) {
    it(`${pair.bits}-bit: node's signatures verify for SHA-1/256/384/512; tampering fails`, () => {
      for (const hash of hashes) {
        const signature = signPkcs1(pair, hash)
        const digest = digestOf(hash, message)
        expect(rsaVerifyPkcs1(pair.key, hash, digest, signature)).toBe(true)
        expect(rsaVerifyPkcs1(pair.key, hash, flip(digest, 0), signature)).toBe(false)
        expect(rsaVerifyPkcs1(pair.key, hash, digest, flip(signature, signature.length - 1))).toBe(false)
        expect(rsaVerifyPkcs1(pair.key, hash, digest, flip(signature, 0, 0x40))).toBe(false)
      }
    })
  }

  it("the hash must be the one signed", () => {
    const signature = signPkcs1(pair2048, "SHA-256")
    expect(rsaVerifyPkcs1(pair2048.key, "SHA-384", digestOf("SHA-384", message), signature)).toBe(false)
    // same digest bytes claimed under another 32-byte-or-longer hash name: DigestInfo differs
    expect(rsaVerifyPkcs1(pair2048.key, "SHA-512", new Uint8Array(64), signature)).toBe(false)
    expect(rsaVerifyPkcs1(pair2048.key, "SHA-256", digestOf("SHA-384", message), signature)).toBe(false)
  })

  it("rejects signatures of the wrong length or out of range, and bad keys", () => {
    const signature = signPkcs1(pair2048, "SHA-256")
    const digest = digestOf("SHA-256", message)
    const { modulus, exponent } = pair2048.key
    expect(rsaVerifyPkcs1(pair2048.key, "SHA-256", digest, Uint8Array.from([0, ...signature]))).toBe(false)
    expect(rsaVerifyPkcs1(pair2048.key, "SHA-256", digest, signature.subarray(1))).toBe(false)
    expect(rsaVerifyPkcs1(pair2048.key, "SHA-256", digest, new Uint8Array())).toBe(false)
    const n = Uint8Array.from(Buffer.from(modulus.toString(16).padStart(512, "0"), "hex"))
    expect(rsaVerifyPkcs1(pair2048.key, "SHA-256", digest, n)).toBe(false)
    expect(rsaVerifyPkcs1(pair2048.key, "SHA-256", digest, new Uint8Array(256).fill(0xff))).toBe(false)
    expect(rsaVerifyPkcs1(pair2048.key, "SHA-256", digest.subarray(1), signature)).toBe(false)
    expect(rsaVerifyPkcs1({ modulus: modulus + 1n, exponent }, "SHA-256", digest, signature)).toBe(false)
    expect(rsaVerifyPkcs1({ modulus: 0n, exponent }, "SHA-256", digest, signature)).toBe(false)
    expect(rsaVerifyPkcs1({ modulus: -modulus, exponent }, "SHA-256", digest, signature)).toBe(false)
    expect(rsaVerifyPkcs1({ modulus, exponent: 0n }, "SHA-256", digest, signature)).toBe(false)
    expect(rsaVerifyPkcs1({ modulus, exponent: 3n }, "SHA-256", digest, signature)).toBe(false)
  })

  describe("hand-built encodings", () => {
    const k = 256
    const digest = digestOf("SHA-256", message)
    const prefix = (hex: string) => Uint8Array.from(Buffer.from(hex, "hex"))
    const withNull = prefix("3031300d060960864801650304020105000420")
    const withoutNull = prefix("302f300b06096086480165030402010420")
    const encode = (head: Array<number>, body: Uint8Array, fill = 0xff): Uint8Array => {
      const em = new Uint8Array(k).fill(fill)
      em.set(head)
      em[k - body.length - 1] = 0
      em.set(body, k - body.length)
      return em
    }
    const verifies = (em: Uint8Array) => rsaVerifyPkcs1(pair2048.key, "SHA-256", digest, rawSign(pair2048, em))

    it("the canonical encoding verifies", () => {
      expect(verifies(encode([0, 1], Uint8Array.from([...withNull, ...digest])))).toBe(true)
    })

    it("DigestInfo without NULL parameters, other block types, bad padding and trailing data fail", () => {
      expect(verifies(encode([0, 1], Uint8Array.from([...withoutNull, ...digest])))).toBe(false)
      expect(verifies(encode([0, 2], Uint8Array.from([...withNull, ...digest])))).toBe(false)
      expect(verifies(encode([0, 1, 0xff, 0xfe], Uint8Array.from([...withNull, ...digest])))).toBe(false)
      expect(verifies(encode([0, 1], Uint8Array.from([...withNull, ...digest, 0])))).toBe(false)
      // early separator with garbage after the DigestInfo (the Bleichenbacher 2006 shape)
      const em = new Uint8Array(k)
      em.set([0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0])
      em.set(withNull, 11)
      em.set(digest, 11 + withNull.length)
      expect(verifies(em)).toBe(false)
    })
  })
})

describe("rsaVerifyPss", () => {
  for (const pair of pairs) {
    it(`${pair.bits}-bit: node's signatures verify with salt = hash length and salt 0`, () => {
      for (const hash of hashes) {
        const digest = digestOf(hash, message)
        for (const saltLength of [hashLength(hash), 0]) {
          if (!pssFits(pair, hash, saltLength)) continue
          const signature = signPss(pair, hash, saltLength)
          expect(rsaVerifyPss(pair.key, hash, saltLength, digest, signature)).toBe(true)
          expect(rsaVerifyPss(pair.key, hash, saltLength + 1, digest, signature)).toBe(false)
          if (saltLength > 0) expect(rsaVerifyPss(pair.key, hash, saltLength - 1, digest, signature)).toBe(false)
          expect(rsaVerifyPss(pair.key, hash, saltLength, flip(digest, 3), signature)).toBe(false)
          expect(rsaVerifyPss(pair.key, hash, saltLength, digest, flip(signature, 17))).toBe(false)
          expect(rsaVerifyPkcs1(pair.key, hash, digest, signature)).toBe(false)
        }
        expect(rsaVerifyPss(pair.key, hash, hashLength(hash), digest, signPkcs1(pair, hash))).toBe(false)
      }
    })
  }

  it("moduli whose bit length is 1 mod 8 (EM one byte shorter than the modulus) and other odd sizes", () => {
    for (const bits of [1025, 1031, 1032, 1033]) {
      const pair = generate(bits)
      expect(pair.bits).toBe(bits)
      const digest = digestOf("SHA-256", message)
      expect(rsaVerifyPss(pair.key, "SHA-256", 32, digest, signPss(pair, "SHA-256", 32))).toBe(true)
      expect(rsaVerifyPkcs1(pair.key, "SHA-256", digest, signPkcs1(pair, "SHA-256"))).toBe(true)
    }
  })

  it("the salt length must be a non-negative integer that fits", () => {
    const digest = digestOf("SHA-256", message)
    const signature = signPss(pair2048, "SHA-256", 32)
    for (const saltLength of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 1e9, 256 - 32 - 1]) {
      expect(rsaVerifyPss(pair2048.key, "SHA-256", saltLength, digest, signature)).toBe(false)
    }
    expect(rsaVerifyPss(pair2048.key, "SHA-256", 32, digest.subarray(1), signature)).toBe(false)
    expect(rsaVerifyPss(pair2048.key, "SHA-256", 32, digest, Uint8Array.from([0, ...signature]))).toBe(false)
  })

  it("the maximum salt length verifies", () => {
    const saltLength = 256 - 32 - 2
    const signature = signPss(pair2048, "SHA-256", saltLength)
    expect(rsaVerifyPss(pair2048.key, "SHA-256", saltLength, digestOf("SHA-256", message), signature)).toBe(true)
  })

  describe("hand-built encodings (8192-bit key: EM as long as the modulus, top bit masked)", () => {
    const pair = rsa8192
    const emLen = 1024
    const hLen = 32
    const salt = Uint8Array.from({ length: 32 }, (_, i) => i + 1)
    const digest = digestOf("SHA-256", message)
    const sha256 = (data: Uint8Array) => new Uint8Array(createHash("sha256").update(data).digest())
    const mgf1 = (seed: Uint8Array, length: number): Uint8Array => {
      const out = new Uint8Array(Math.ceil(length / hLen) * hLen)
      for (let counter = 0; counter * hLen < length; counter++) {
        const c = Uint8Array.of(counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff)
        out.set(sha256(Uint8Array.from([...seed, ...c])), counter * hLen)
      }
      return out.subarray(0, length)
    }
    /** EMSA-PSS-ENCODE (RFC 8017 section 9.1.1) with hooks to break one rule at a time. */
    const encode = (options: { separator?: number; padding?: number; trailer?: number; topBit?: boolean } = {}) => {
      const h = sha256(Uint8Array.from([...new Uint8Array(8), ...digest, ...salt]))
      const db = new Uint8Array(emLen - hLen - 1)
      db[db.length - salt.length - 1] = options.separator ?? 0x01
      db.set(salt, db.length - salt.length)
      if (options.padding !== undefined) db[5] = options.padding
      const mask = mgf1(h, db.length)
      const em = new Uint8Array(emLen)
      for (let i = 0; i < db.length; i++) em[i] = db[i]! ^ mask[i]!
      em[0] = options.topBit === true ? em[0]! | 0x80 : em[0]! & 0x7f
      em.set(h, db.length)
      em[emLen - 1] = options.trailer ?? 0xbc
      return em
    }
    const verifies = (em: Uint8Array) => rsaVerifyPss(pair.key, "SHA-256", 32, digest, rawSign(pair, em))

    it("the canonical encoding verifies", () => {
      expect(pair.key.modulus >> 8184n).toBeGreaterThan(0x80n) // so an EM with the top bit set is still < n
      expect(verifies(encode())).toBe(true)
    })

    it("a wrong trailer, separator, nonzero padding or set leftmost bit fails", () => {
      expect(verifies(encode({ trailer: 0xbb }))).toBe(false)
      expect(verifies(encode({ separator: 0x02 }))).toBe(false)
      expect(verifies(encode({ separator: 0x00 }))).toBe(false)
      expect(verifies(encode({ padding: 0x01 }))).toBe(false)
      expect(verifies(encode({ topBit: true }))).toBe(false)
    })
  })
})

describe("never throws", () => {
  const digest = digestOf("SHA-256", message)

  it.prop(
    "random signatures of the modulus length do not verify",
    [fc.uint8Array({ minLength: 128, maxLength: 128 })],
    ([signature]) => {
      const pair = pairs[0]!
      expect(rsaVerifyPkcs1(pair.key, "SHA-256", digest, signature)).toBe(false)
      expect(rsaVerifyPss(pair.key, "SHA-256", 32, digest, signature)).toBe(false)
    },
  )

  it.prop(
    "arbitrary keys, salt lengths and signatures",
    [
      fc.bigInt({ min: -10n, max: 1n << 1100n }),
      fc.bigInt({ min: -3n, max: 1n << 40n }),
      fc.integer({ min: -5, max: 300 }),
      fc.uint8Array({ maxLength: 140 }),
    ],
    ([modulus, exponent, saltLength, signature]) => {
      const key = { modulus, exponent }
      expect(typeof rsaVerifyPkcs1(key, "SHA-1", new Uint8Array(20), signature)).toBe("boolean")
      expect(typeof rsaVerifyPss(key, "SHA-256", saltLength, digest, signature)).toBe("boolean")
    },
    { fastCheck: { numRuns: 200 } },
  )
})
