/**
 * The WebCrypto layer beyond the shared suites: the platform really does the work (a
 * counting `subtle` sees every key agreement, AES-GCM record, verification and signature),
 * RSA signing round-trips through node:crypto, and where `subtle` lacks X25519/Ed25519
 * (older browsers) or is missing altogether (no secure context), the noble fallback still
 * passes the Wycheproof files.
 */
import { generateKeyPairSync } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import {
  type KeyAgreementGroup,
  type SignatureAlgorithm,
  systemRandom,
  TlsCrypto,
  type TlsCryptoService,
} from "@effect-tls/crypto"
import { NodeCrypto } from "@effect-tls/crypto/node"
import { scriptedRandom } from "@effect-tls/crypto/testing"
import { makeWebCrypto } from "@effect-tls/crypto/webcrypto"
import { Effect, Layer } from "effect"
import type { Subtle } from "../src/webcrypto/subtle.js"
import { planAead } from "./conformance/aead.js"
import { toHex } from "./conformance/hex.js"
import { planKeyAgreement } from "./conformance/keyAgreement.js"
import { execute, type Plan } from "./conformance/plan.js"
import { planSignature } from "./conformance/signature.js"

const platform = globalThis.crypto.subtle

/** The algorithm name a `subtle` call works with. */
const algorithmOf = (method: string, args: ReadonlyArray<unknown>): string => {
  const named = (value: unknown): string =>
    typeof value === "string" ? value : String((value as { readonly name?: unknown } | undefined)?.name)
  switch (method) {
    case "importKey":
      return named(args[2])
    case "exportKey":
      return named((args[1] as { readonly algorithm?: unknown } | undefined)?.algorithm)
    default:
      return named(args[0])
  }
}

/**
 * The platform's `subtle` behind a recorder of calls (`"method algorithm"`); calls for
 * which `refuse` holds reject as a browser without the algorithm would.
 */
const instrumented = (refuse: (algorithm: string) => boolean = () => false) => {
  const calls: Array<string> = []
  const subtle = new Proxy(platform, {
    get: (target, property) => {
      const value: unknown = Reflect.get(target, property, target)
      if (typeof value !== "function") return value
      return (...args: Array<unknown>) => {
        const algorithm = algorithmOf(String(property), args)
        calls.push(`${String(property)} ${algorithm}`)
        return refuse(algorithm)
          ? Promise.reject(new DOMException("Unrecognized algorithm name", "NotSupportedError"))
          : Reflect.apply(value, target, args)
      }
    },
  })
  /** The calls made since the last `take`, in order. */
  const take = () => {
    const taken = [...calls]
    calls.length = 0
    return taken
  }
  return { subtle, take }
}

const layerOn = (subtle: Subtle) => Layer.sync(TlsCrypto, () => makeWebCrypto(systemRandom, subtle))

const scriptedOn = (subtle: Subtle) => (group: KeyAgreementGroup, privateKey: Uint8Array) =>
  Layer.sync(TlsCrypto, () => makeWebCrypto(scriptedRandom({ privateKeys: { [group]: privateKey } }), subtle))

const findingsOf = (plan: Plan, subtle: Subtle) =>
  Effect.map(Effect.provide(execute(plan), layerOn(subtle)), (report) => report.findings)

const node = Effect.provide(TlsCrypto, NodeCrypto)

const der = (pair: ReturnType<typeof generateKeyPairSync>) => ({
  pkcs8: Uint8Array.from(pair.privateKey.export({ format: "der", type: "pkcs8" })),
  spki: Uint8Array.from(pair.publicKey.export({ format: "der", type: "spki" })),
})

const p256 = der(generateKeyPairSync("ec", { namedCurve: "P-256" }))
const ed25519 = der(generateKeyPairSync("ed25519"))
const rsa = der(generateKeyPairSync("rsa", { modulusLength: 2048 }))
const rsaPss = der(generateKeyPairSync("rsa-pss", { modulusLength: 2048 }))
const message = new TextEncoder().encode("effect-tls WebCrypto test message")

/** Signs `message` with `pkcs8` on `signer` and verifies on `verifier`. */
const signedAndVerified = (
  signer: TlsCryptoService,
  verifier: TlsCryptoService,
  key: { readonly pkcs8: Uint8Array; readonly spki: Uint8Array },
  algorithm: SignatureAlgorithm,
) =>
  Effect.gen(function* () {
    const signingKey = yield* signer.importSigningKey(key.pkcs8)
    expect(toHex(signingKey.publicKey)).toBe(toHex(key.spki))
    const signature = yield* signingKey.sign(algorithm, message)
    yield* verifier.verify({ spki: key.spki, algorithm, message, signature })
  })

describe("the platform does the work", () => {
  it.effect("AES-GCM keys are imported once and every record is a subtle call; ChaCha20 is noble's", () =>
    Effect.gen(function* () {
      const { subtle, take } = instrumented()
      const crypto = makeWebCrypto(systemRandom, subtle)
      const aes = yield* crypto.aeadKey("AES-128-GCM", new Uint8Array(16).fill(1))
      const nonce = new Uint8Array(12)
      const aad = new Uint8Array(5)
      for (let i = 0; i < 3; i++) yield* aes.open(nonce, aad, yield* aes.seal(nonce, aad, message))
      expect(aes.sync).toBeUndefined()
      expect(take()).toEqual([
        "importKey AES-GCM",
        ...Array.from({ length: 3 }, () => ["encrypt AES-GCM", "decrypt AES-GCM"]).flat(),
      ])
      const chacha = yield* crypto.aeadKey("ChaCha20-Poly1305", new Uint8Array(32).fill(1))
      expect(chacha.sync).toBeDefined()
      expect(take()).toEqual([])
    }),
  )

  it.effect("with the platform's randomness, the platform generates each key pair; they agree by deriveBits", () =>
    Effect.gen(function* () {
      const { subtle, take } = instrumented()
      const crypto = makeWebCrypto(systemRandom, subtle)
      const expected = {
        x25519: ["generateKey X25519", "exportKey X25519", "importKey X25519", "deriveBits X25519"],
        secp256r1: ["generateKey ECDH", "exportKey ECDH", "importKey ECDH", "deriveBits ECDH"],
        secp384r1: ["generateKey ECDH", "exportKey ECDH", "importKey ECDH", "deriveBits ECDH"],
      }
      for (const group of ["x25519", "secp256r1", "secp384r1"] as const) {
        const peer = yield* (yield* node).generateKeyShare(group)
        const share = yield* crypto.generateKeyShare(group)
        expect(share.publicKey.length).toBe(group === "x25519" ? 32 : group === "secp256r1" ? 65 : 97)
        expect(toHex(yield* share.agree(peer.publicKey))).toBe(toHex(yield* peer.agree(share.publicKey)))
        expect(take()).toEqual(expected[group])
      }
    }),
  )

  it.effect("with a scripted random source, the drawn private key is imported into subtle", () =>
    Effect.gen(function* () {
      const { subtle, take } = instrumented()
      const crypto = makeWebCrypto(scriptedRandom({ seed: "webcrypto key shares" }), subtle)
      const expected = {
        x25519: ["importKey X25519", "exportKey X25519", "importKey X25519", "deriveBits X25519"],
        secp256r1: ["importKey ECDH", "importKey ECDH", "deriveBits ECDH"],
        secp384r1: ["importKey ECDH", "importKey ECDH", "deriveBits ECDH"],
      }
      for (const group of ["x25519", "secp256r1", "secp384r1"] as const) {
        const peer = yield* (yield* node).generateKeyShare(group)
        const share = yield* crypto.generateKeyShare(group)
        expect(toHex(yield* share.agree(peer.publicKey))).toBe(toHex(yield* peer.agree(share.publicKey)))
        expect(take()).toEqual(expected[group])
      }
    }),
  )

  it.effect("verification of every key type is a subtle verify, id-RSASSA-PSS keys included", () =>
    Effect.gen(function* () {
      const { subtle, take } = instrumented()
      const crypto = makeWebCrypto(systemRandom, subtle)
      const nodeCrypto = yield* node
      const cases: ReadonlyArray<
        [{ readonly pkcs8: Uint8Array; readonly spki: Uint8Array }, SignatureAlgorithm, string]
      > = [
        [p256, { _tag: "Ecdsa", hash: "SHA-1" }, "ECDSA"],
        [ed25519, { _tag: "Ed25519" }, "Ed25519"],
        [rsa, { _tag: "RsaPkcs1", hash: "SHA-384" }, "RSASSA-PKCS1-v1_5"],
        [rsa, { _tag: "RsaPss", hash: "SHA-256", saltLength: 32 }, "RSA-PSS"],
        [rsaPss, { _tag: "RsaPss", hash: "SHA-512", saltLength: 0 }, "RSA-PSS"],
      ]
      for (const [key, algorithm, name] of cases) {
        yield* signedAndVerified(nodeCrypto, crypto, key, algorithm)
        expect(take()).toEqual([`importKey ${name}`, `verify ${name}`])
      }
    }),
  )

  it.effect("signing keys sign in subtle, and node verifies what they sign", () =>
    Effect.gen(function* () {
      const { subtle, take } = instrumented()
      const crypto = makeWebCrypto(systemRandom, subtle)
      const nodeCrypto = yield* node
      yield* signedAndVerified(crypto, nodeCrypto, p256, { _tag: "Ecdsa", hash: "SHA-512" })
      expect(take()).toEqual(["importKey ECDSA", "sign ECDSA"])
      yield* signedAndVerified(crypto, nodeCrypto, ed25519, { _tag: "Ed25519" })
      expect(take()).toEqual(["importKey Ed25519", "exportKey Ed25519", "sign Ed25519"])
    }),
  )
})

describe("RSA signing", () => {
  it.effect("PKCS#1 v1.5 and PSS signatures verify in node; the hash-bound keys are imported once each", () =>
    Effect.gen(function* () {
      const { subtle, take } = instrumented()
      const crypto = makeWebCrypto(systemRandom, subtle)
      const nodeCrypto = yield* node
      const signingKey = yield* crypto.importSigningKey(rsa.pkcs8)
      expect(signingKey.type).toBe("rsa")
      expect(toHex(signingKey.publicKey)).toBe(toHex(rsa.spki))
      const algorithms: ReadonlyArray<SignatureAlgorithm> = [
        { _tag: "RsaPkcs1", hash: "SHA-256" },
        { _tag: "RsaPss", hash: "SHA-384", saltLength: 48 },
        { _tag: "RsaPkcs1", hash: "SHA-256" },
        { _tag: "RsaPss", hash: "SHA-256", saltLength: 32 },
      ]
      for (const algorithm of algorithms) {
        const signature = yield* signingKey.sign(algorithm, message)
        yield* nodeCrypto.verify({ spki: rsa.spki, algorithm, message, signature })
      }
      expect(take()).toEqual([
        "importKey RSA-PSS", // the check at import time, SHA-256
        "importKey RSASSA-PKCS1-v1_5",
        "sign RSASSA-PKCS1-v1_5",
        "importKey RSA-PSS",
        "sign RSA-PSS",
        "sign RSASSA-PKCS1-v1_5",
        "sign RSA-PSS",
      ])
    }),
  )

  it.effect("an RSA key refuses other algorithms, and RSA-PSS keys are unsupported", () =>
    Effect.gen(function* () {
      const crypto = makeWebCrypto(systemRandom)
      const signingKey = yield* crypto.importSigningKey(rsa.pkcs8)
      const wrong = yield* Effect.flip(signingKey.sign({ _tag: "Ecdsa", hash: "SHA-256" }, message))
      expect(wrong._tag).toBe("UnsupportedAlgorithm")
      const tooMuchSalt = yield* Effect.flip(
        signingKey.sign({ _tag: "RsaPss", hash: "SHA-256", saltLength: 300 }, message),
      )
      expect(tooMuchSalt._tag).toBe("UnsupportedAlgorithm")
      const pss = yield* Effect.flip(crypto.importSigningKey(rsaPss.pkcs8))
      expect(pss._tag).toBe("UnsupportedAlgorithm")
      const garbage = yield* Effect.flip(crypto.importSigningKey(new Uint8Array([0x30, 0x03, 0x02, 0x01])))
      expect(garbage._tag).toBe("MalformedKey")
    }),
  )
})

describe("without X25519 and Ed25519 in subtle (older browsers), noble answers", () => {
  const lacking = (algorithm: string) => algorithm === "X25519" || algorithm === "Ed25519"

  it.effect(
    "the x25519 and ed25519 vector files pass, after subtle was asked",
    () =>
      Effect.gen(function* () {
        const { subtle, take } = instrumented(lacking)
        expect(yield* findingsOf(planKeyAgreement("x25519", scriptedOn(subtle)), subtle)).toEqual([])
        expect(yield* findingsOf(planSignature("ed25519"), subtle)).toEqual([])
        const asked = take()
        expect(asked).toContain("importKey X25519")
        expect(asked).toContain("importKey Ed25519")
        expect(asked.filter((call) => !call.startsWith("importKey"))).toEqual([])
      }),
    60_000,
  )

  it.effect("Ed25519 keys still sign", () =>
    Effect.gen(function* () {
      const { subtle } = instrumented(lacking)
      yield* signedAndVerified(makeWebCrypto(systemRandom, subtle), yield* node, ed25519, { _tag: "Ed25519" })
    }),
  )
})

describe("without a usable subtle (no secure context), noble answers", () => {
  const missing = {} as Subtle

  it.effect(
    "AES-GCM, ECDSA and RSA-PSS vector files pass, and AES keys are noble's synchronous ones",
    () =>
      Effect.gen(function* () {
        for (const plan of [
          planAead("aes_gcm"),
          planSignature("ecdsa_secp256r1_sha256"),
          planSignature("rsa_pss_2048_sha256_mgf1_32"),
        ]) {
          expect(yield* findingsOf(plan, missing)).toEqual([])
        }
        const aes = yield* makeWebCrypto(systemRandom, missing).aeadKey("AES-256-GCM", new Uint8Array(32))
        expect(aes.sync).toBeDefined()
      }),
    60_000,
  )

  it.effect("key shares of every group agree with node's, and EC keys still sign", () =>
    Effect.gen(function* () {
      const crypto = makeWebCrypto(systemRandom, missing)
      const nodeCrypto = yield* node
      for (const group of ["x25519", "secp256r1", "secp384r1"] as const) {
        const share = yield* crypto.generateKeyShare(group)
        const peer = yield* nodeCrypto.generateKeyShare(group)
        expect(toHex(yield* share.agree(peer.publicKey))).toBe(toHex(yield* peer.agree(share.publicKey)))
      }
      yield* signedAndVerified(crypto, nodeCrypto, p256, { _tag: "Ecdsa", hash: "SHA-256" })
    }),
  )
})
