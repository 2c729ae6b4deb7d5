/**
 * A short crypto self-check: runs each layer through known-answer tests and a key
 * agreement, and prints what it did. The README's main-job command until `effect-tls demo`
 * exists.
 */
import { Effect, type Layer } from "effect"
import { NobleCrypto, TlsCrypto } from "../src/index.js"
import { NodeCrypto } from "../src/node/index.js"
import { WebCrypto } from "../src/webcrypto/index.js"

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex")
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, "hex"))

const check = (label: string, actual: string, expected: string) =>
  Effect.sync(() => {
    if (actual !== expected) throw new Error(`${label}: got ${actual}, expected ${expected}`)
    console.log(`  ok  ${label}`)
  })

const selfCheck = Effect.gen(function* () {
  const crypto = yield* TlsCrypto
  console.log(`layer ${crypto.name}:`)
  yield* check(
    'SHA-256("abc") (FIPS 180-2)',
    hex(crypto.digest("SHA-256", new TextEncoder().encode("abc"))),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  )
  // RFC 5869 appendix A.1
  const prk = yield* crypto.hkdfExtract(
    "SHA-256",
    fromHex("000102030405060708090a0b0c"),
    fromHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
  )
  const okm = yield* crypto.hkdfExpand("SHA-256", prk, fromHex("f0f1f2f3f4f5f6f7f8f9"), 42)
  yield* check(
    "HKDF-SHA256 (RFC 5869 A.1)",
    hex(okm),
    "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
  )
  for (const algorithm of ["AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305"] as const) {
    const key = yield* crypto.aeadKey(
      algorithm,
      yield* crypto.randomBytes(algorithm === "AES-128-GCM" ? 16 : 32, { _tag: "Other", label: "selfcheck" }),
    )
    const nonce = new Uint8Array(12)
    const sealed = yield* key.seal(nonce, new Uint8Array(5), new TextEncoder().encode("hello, TLS"))
    const opened = yield* key.open(nonce, new Uint8Array(5), sealed)
    yield* check(`${algorithm} seal/open`, new TextDecoder().decode(opened), "hello, TLS")
    sealed[0]! ^= 1
    const tampered = yield* Effect.either(key.open(nonce, new Uint8Array(5), sealed))
    yield* check(
      `${algorithm} rejects a flipped bit`,
      tampered._tag === "Left" ? tampered.left._tag : "accepted",
      "AeadOpenFailed",
    )
  }
  for (const group of ["x25519", "secp256r1", "secp384r1"] as const) {
    const alice = yield* crypto.generateKeyShare(group)
    const bob = yield* crypto.generateKeyShare(group)
    const ab = yield* alice.agree(bob.publicKey)
    const ba = yield* bob.agree(alice.publicKey)
    yield* check(`${group} key agreement (${ab.length}-byte secret)`, hex(ab), hex(ba))
  }
})

const layers: ReadonlyArray<Layer.Layer<TlsCrypto>> = [NobleCrypto, NodeCrypto, WebCrypto]
await Effect.runPromise(Effect.forEach(layers, (layer) => Effect.provide(selfCheck, layer), { discard: true }))
console.log("crypto self-check passed")
