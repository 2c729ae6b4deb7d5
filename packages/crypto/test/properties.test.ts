/**
 * Cross-layer properties: the noble, node:crypto and WebCrypto layers compute the same
 * bytes for the same inputs (AEAD, key agreement, HMAC, HKDF, hashing), each accepts what
 * the others produce (records, key shares, signatures), and the running hash behaves as its
 * contract says in any split, after a snapshot, and when cloned.
 */
import { generateKeyPairSync } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import {
  type AeadAlgorithm,
  aeadKeyLength,
  concatBytes,
  type HashAlgorithm,
  hashLength,
  type KeyAgreementGroup,
  NobleCrypto,
  type SignatureAlgorithm,
  TlsCrypto,
  type TlsCryptoService,
} from "@effect-tls/crypto"
import { NodeCrypto } from "@effect-tls/crypto/node"
import { TestingCrypto } from "@effect-tls/crypto/testing"
import { WebCrypto } from "@effect-tls/crypto/webcrypto"
import { Effect } from "effect"
import fc from "fast-check"
import { toHex } from "./conformance/hex.js"

/** Every layer's service, in the order [noble, node, webcrypto]. */
const allLayers = Effect.all([
  Effect.provide(TlsCrypto, NobleCrypto),
  Effect.provide(TlsCrypto, NodeCrypto),
  Effect.provide(TlsCrypto, WebCrypto),
])

/** `numRuns` cases, with room for three layers on a busy machine. */
const runs = (numRuns: number) => ({ timeout: 60_000, fastCheck: { numRuns } })

const bytes = (maxLength: number) => fc.uint8Array({ maxLength })
const exactly = (length: number) => fc.uint8Array({ minLength: length, maxLength: length })
const hashAlgorithm = fc.constantFrom<HashAlgorithm>("SHA-256", "SHA-384")

describe("AEAD across layers", () => {
  const algorithm = fc.constantFrom<AeadAlgorithm>("AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305")

  it.effect.prop(
    "every layer seals alike and opens every other layer's records",
    { algorithm, keyBytes: exactly(32), nonce: exactly(12), aad: bytes(64), plaintext: bytes(300) },
    ({ algorithm, keyBytes, nonce, aad, plaintext }) =>
      Effect.gen(function* () {
        const key = keyBytes.subarray(0, aeadKeyLength(algorithm))
        const keys = yield* Effect.forEach(yield* allLayers, (crypto) => crypto.aeadKey(algorithm, key))
        const sealed = yield* Effect.forEach(keys, (aeadKey) => aeadKey.seal(nonce, aad, plaintext))
        expect(sealed.map(toHex)).toEqual(sealed.map(() => toHex(sealed[0]!)))
        expect(sealed[0]!.length).toBe(plaintext.length + 16)
        for (const [index, aeadKey] of keys.entries()) {
          const other = sealed[(index + 1) % sealed.length]!
          expect(toHex(yield* aeadKey.open(nonce, aad, other))).toBe(toHex(plaintext))
        }
      }),
    runs(100),
  )

  it.effect.prop(
    "a record at any offset inside a larger buffer (as in a received chunk) opens alike, and a flipped bit still fails",
    {
      algorithm,
      keyBytes: exactly(32),
      nonce: exactly(12),
      aad: bytes(16),
      plaintext: fc.oneof(bytes(300), fc.uint8Array({ minLength: 16_000, maxLength: 17_000 })),
      offset: fc.integer({ min: 0, max: 7 }),
      flip: fc.boolean(),
    },
    ({ algorithm, keyBytes, nonce, aad, plaintext, offset, flip }) =>
      Effect.gen(function* () {
        const key = keyBytes.subarray(0, aeadKeyLength(algorithm))
        const keys = yield* Effect.forEach(yield* allLayers, (crypto) => crypto.aeadKey(algorithm, key))
        const sealed = yield* keys[0]!.seal(nonce, aad, plaintext)
        if (flip) sealed[sealed.length >> 1]! ^= 0x20
        const chunk = new Uint8Array(offset + sealed.length + 5).fill(0xa5)
        chunk.set(sealed, offset)
        const before = toHex(chunk)
        for (const aeadKey of keys) {
          const opened = yield* Effect.either(aeadKey.open(nonce, aad, chunk.subarray(offset, offset + sealed.length)))
          if (flip) expect(opened._tag).toBe("Left")
          else expect(opened._tag === "Right" ? toHex(opened.right) : opened.left._tag).toBe(toHex(plaintext))
        }
        expect(toHex(chunk)).toBe(before)
      }),
    runs(40),
  )

  it.effect.prop(
    "a record with one bit flipped opens in no layer",
    { algorithm, keyBytes: exactly(32), nonce: exactly(12), aad: bytes(32), plaintext: bytes(100), bit: fc.nat() },
    ({ algorithm, keyBytes, nonce, aad, plaintext, bit }) =>
      Effect.gen(function* () {
        const key = keyBytes.subarray(0, aeadKeyLength(algorithm))
        const keys = yield* Effect.forEach(yield* allLayers, (crypto) => crypto.aeadKey(algorithm, key))
        const sealed = yield* keys[0]!.seal(nonce, aad, plaintext)
        const position = bit % (sealed.length * 8)
        sealed[position >> 3]! ^= 1 << (position & 7)
        for (const aeadKey of keys) {
          const opened = yield* Effect.flip(aeadKey.open(nonce, aad, sealed))
          expect(opened._tag).toBe("AeadOpenFailed")
        }
      }),
    runs(50),
  )
})

describe("key agreement across layers", () => {
  /** Group orders: a NIST private key must lie in [1, n-1]. */
  const orders: Readonly<Record<KeyAgreementGroup, bigint | undefined>> = {
    x25519: undefined,
    secp256r1: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    secp384r1: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  }
  const sizes: Readonly<Record<KeyAgreementGroup, number>> = { x25519: 32, secp256r1: 32, secp384r1: 48 }

  const isPrivateKey = (group: KeyAgreementGroup, key: Uint8Array): boolean => {
    const order = orders[group]
    if (order === undefined) return true
    const value = BigInt(`0x${toHex(key)}`)
    return value > 0n && value < order
  }

  /** A group and two private keys for it. */
  const keyPair = fc.constantFrom<KeyAgreementGroup>("x25519", "secp256r1", "secp384r1").chain((group) =>
    fc.tuple(
      fc.constant(group),
      exactly(sizes[group]).filter((key) => isPrivateKey(group, key)),
      exactly(sizes[group]).filter((key) => isPrivateKey(group, key)),
    ),
  )

  const shareOn = (provider: "noble" | "node" | "webcrypto", group: KeyAgreementGroup, privateKey: Uint8Array) =>
    Effect.flatMap(TlsCrypto, (crypto) => crypto.generateKeyShare(group)).pipe(
      Effect.provide(TestingCrypto.layer({ provider, script: { privateKeys: { [group]: privateKey } } })),
    )

  it.effect.prop(
    "the same private key gives the same public share in every layer, and shares of different layers agree",
    { pair: keyPair },
    ({ pair: [group, a, b] }) =>
      Effect.gen(function* () {
        const nobleA = yield* shareOn("noble", group, a)
        const nodeA = yield* shareOn("node", group, a)
        const webA = yield* shareOn("webcrypto", group, a)
        const nodeB = yield* shareOn("node", group, b)
        const webB = yield* shareOn("webcrypto", group, b)
        expect(toHex(nodeA.publicKey)).toBe(toHex(nobleA.publicKey))
        expect(toHex(webA.publicKey)).toBe(toHex(nobleA.publicKey))
        const secret = toHex(yield* nobleA.agree(nodeB.publicKey))
        expect(toHex(yield* nodeB.agree(nobleA.publicKey))).toBe(secret)
        expect(toHex(yield* webA.agree(nodeB.publicKey))).toBe(secret)
        expect(toHex(yield* webB.agree(nobleA.publicKey))).toBe(secret)
        expect(secret.length).toBe(2 * sizes[group])
      }),
    runs(50),
  )

  it.effect("fresh shares from the real layers agree", () =>
    Effect.gen(function* () {
      const layers = yield* allLayers
      for (const group of ["x25519", "secp256r1", "secp384r1"] as const) {
        const shares = yield* Effect.forEach(layers, (crypto) => crypto.generateKeyShare(group))
        for (const [index, mine] of shares.entries()) {
          const theirs = shares[(index + 1) % shares.length]!
          expect(toHex(yield* mine.agree(theirs.publicKey))).toBe(toHex(yield* theirs.agree(mine.publicKey)))
        }
      }
    }),
  )
})

describe("signatures across layers", () => {
  /** A PKCS#8 key made by node:crypto, its SPKI, and the algorithm TLS signs with it (P-256, P-384, Ed25519). */
  interface TestKey {
    readonly pkcs8: Uint8Array
    readonly spki: Uint8Array
    readonly algorithm: SignatureAlgorithm
  }

  const der = (pair: ReturnType<typeof generateKeyPairSync>) => ({
    pkcs8: Uint8Array.from(pair.privateKey.export({ format: "der", type: "pkcs8" })),
    spki: Uint8Array.from(pair.publicKey.export({ format: "der", type: "spki" })),
  })

  const keys: ReadonlyArray<TestKey> = [
    { ...der(generateKeyPairSync("ec", { namedCurve: "P-256" })), algorithm: { _tag: "Ecdsa", hash: "SHA-256" } },
    { ...der(generateKeyPairSync("ec", { namedCurve: "P-384" })), algorithm: { _tag: "Ecdsa", hash: "SHA-384" } },
    { ...der(generateKeyPairSync("ed25519")), algorithm: { _tag: "Ed25519" } },
  ]

  const signVerify = (signer: TlsCryptoService, verifier: TlsCryptoService, key: TestKey, message: Uint8Array) =>
    Effect.gen(function* () {
      const signingKey = yield* signer.importSigningKey(key.pkcs8)
      expect(toHex(signingKey.publicKey)).toBe(toHex(key.spki))
      const signature = yield* signingKey.sign(key.algorithm, message)
      yield* verifier.verify({ spki: key.spki, algorithm: key.algorithm, message, signature })
      const altered = concatBytes(message, new Uint8Array([0]))
      const refused = yield* Effect.flip(
        verifier.verify({ spki: key.spki, algorithm: key.algorithm, message: altered, signature }),
      )
      expect(refused._tag).toBe("BadSignature")
    })

  it.effect.prop(
    "a signature made by any layer verifies in every layer, and not over another message",
    { keyIndex: fc.nat({ max: keys.length - 1 }), message: bytes(200) },
    ({ keyIndex, message }) =>
      Effect.gen(function* () {
        const key = keys[keyIndex]!
        const layers = yield* allLayers
        for (const signer of layers) {
          for (const verifier of layers) yield* signVerify(signer, verifier, key, message)
        }
      }),
    runs(30),
  )
})

describe("hashing", () => {
  /** Cut points into `data`, sorted, as chunk boundaries. */
  const split = (data: Uint8Array, cuts: ReadonlyArray<number>): ReadonlyArray<Uint8Array> => {
    const points = [0, ...cuts.map((cut) => cut % (data.length + 1)).sort((x, y) => x - y), data.length]
    return points.slice(1).map((end, index) => data.subarray(points[index], end))
  }

  it.effect.prop(
    "incremental hashing in any split equals the one-shot digest, alike in every layer",
    { algorithm: hashAlgorithm, data: bytes(1000), cuts: fc.array(fc.nat(), { maxLength: 8 }) },
    ({ algorithm, data, cuts }) =>
      Effect.gen(function* () {
        const layers = yield* allLayers
        const expected = toHex(layers[0]!.digest(algorithm, data))
        for (const crypto of layers) {
          const hasher = crypto.hasher(algorithm)
          for (const chunk of split(data, cuts)) hasher.update(chunk)
          expect(toHex(hasher.snapshot())).toBe(expected)
          expect(toHex(crypto.digest(algorithm, data))).toBe(expected)
          expect(expected.length).toBe(2 * hashLength(algorithm))
        }
      }),
    runs(100),
  )

  it.effect.prop(
    "snapshot() does not end the hash, and a clone runs on independently",
    { algorithm: hashAlgorithm, prefix: bytes(300), rest: bytes(300), other: bytes(300) },
    ({ algorithm, prefix, rest, other }) =>
      Effect.gen(function* () {
        for (const crypto of yield* allLayers) {
          const digest = (data: Uint8Array) => toHex(crypto.digest(algorithm, data))
          const hasher = crypto.hasher(algorithm)
          hasher.update(prefix)
          expect(toHex(hasher.snapshot())).toBe(digest(prefix))
          const clone = hasher.clone()
          clone.update(other)
          hasher.update(rest)
          expect(toHex(hasher.snapshot())).toBe(digest(concatBytes(prefix, rest)))
          expect(toHex(hasher.snapshot())).toBe(digest(concatBytes(prefix, rest)))
          expect(toHex(clone.snapshot())).toBe(digest(concatBytes(prefix, other)))
          expect(clone.algorithm).toBe(algorithm)
        }
      }),
    runs(100),
  )
})

describe("HMAC and HKDF across layers", () => {
  it.effect.prop(
    "every layer computes the same HMAC",
    { algorithm: hashAlgorithm, key: bytes(200), data: bytes(500) },
    ({ algorithm, key, data }) =>
      Effect.gen(function* () {
        const [noble, ...others] = yield* allLayers
        const mac = yield* noble!.hmac(algorithm, key, data)
        for (const crypto of others) expect(toHex(yield* crypto.hmac(algorithm, key, data))).toBe(toHex(mac))
        expect(mac.length).toBe(hashLength(algorithm))
      }),
    runs(100),
  )

  it.effect.prop(
    "every layer computes the same HKDF extract and expand",
    {
      algorithm: hashAlgorithm,
      salt: bytes(80),
      ikm: bytes(80),
      info: bytes(80),
      length: fc.integer({ min: 1, max: 255 * 48 }),
    },
    ({ algorithm, salt, ikm, info, length }) =>
      Effect.gen(function* () {
        const [noble, ...others] = yield* allLayers
        const prk = yield* noble!.hkdfExtract(algorithm, salt, ikm)
        const size = Math.min(length, 255 * hashLength(algorithm))
        const okm = yield* noble!.hkdfExpand(algorithm, prk, info, size)
        expect(okm.length).toBe(size)
        for (const crypto of others) {
          expect(toHex(yield* crypto.hkdfExtract(algorithm, salt, ikm))).toBe(toHex(prk))
          expect(toHex(yield* crypto.hkdfExpand(algorithm, prk, info, size))).toBe(toHex(okm))
        }
      }),
    runs(50),
  )

  it.effect.prop(
    "every layer refuses HKDF outputs longer than 255 hash lengths with InvalidLength",
    { algorithm: hashAlgorithm, excess: fc.integer({ min: 1, max: 10_000 }) },
    ({ algorithm, excess }) =>
      Effect.gen(function* () {
        for (const crypto of yield* allLayers) {
          const prk = new Uint8Array(hashLength(algorithm))
          const length = 255 * hashLength(algorithm) + excess
          const refused = yield* Effect.flip(crypto.hkdfExpand(algorithm, prk, new Uint8Array(0), length))
          expect(refused._tag).toBe("InvalidLength")
        }
      }),
    runs(50),
  )
})
