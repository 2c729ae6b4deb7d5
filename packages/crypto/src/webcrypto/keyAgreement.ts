/**
 * Ephemeral key agreement for the WebCrypto layer: x25519 and ECDH on P-256/P-384 through
 * `subtle` (`deriveBits`), with the private key drawn from the layer's random source so that
 * the testing layer can script it. Where `subtle` refuses a step (X25519 is missing from
 * older browsers), the share is made by noble from the same private key.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { agreeNistEffect, agreeX25519Effect, privateKeyLength } from "../groups.js"
import type { EcCurve } from "../keys.js"
import { nobleKeyShare } from "../noble/keyAgreement.js"
import { type RandomSource, systemRandom } from "../random.js"
import type { KeyAgreementGroup, KeyShare } from "../TlsCrypto.js"
import { ecPrivateJwk, nobleCurve } from "./ecKey.js"
import { importOkpPrivateKey } from "./okp.js"
import { namedCurve } from "./params.js"
import { type Subtle, type SubtleKey, type SubtleRefused, subtleBytes, subtleCall } from "./subtle.js"

/** The secret of `subtle.deriveBits` with the peer's public key imported raw (the TLS wire form). */
const derive = (
  subtle: Subtle,
  algorithm: { readonly name: "X25519" } | { readonly name: "ECDH"; readonly namedCurve: string },
  privateKey: SubtleKey,
  peer: Uint8Array,
  bits: number,
): Effect.Effect<Uint8Array, SubtleRefused> =>
  Effect.flatMap(
    subtleCall(() => subtle.importKey("raw", peer, algorithm, false, [])),
    (publicKey) => subtleBytes(() => subtle.deriveBits({ name: algorithm.name, public: publicKey }, privateKey, bits)),
  )

/** x25519: the private key imported as PKCS#8, its public key from the platform. */
const x25519Share = (subtle: Subtle, secret: Uint8Array): Effect.Effect<KeyShare, SubtleRefused> =>
  Effect.map(importOkpPrivateKey(subtle, "X25519", secret, "deriveBits"), ({ privateKey, publicKey }) => ({
    group: "x25519" as const,
    publicKey,
    agree: (peer: Uint8Array) =>
      agreeX25519Effect(peer, (share) => derive(subtle, { name: "X25519" }, privateKey, share, 256)),
  }))

/** ECDH: the private key imported as a JWK (see ecKey.ts). */
const nistShare = (subtle: Subtle, group: EcCurve, secret: Uint8Array): Effect.Effect<KeyShare, SubtleRefused> => {
  const { jwk, point } = ecPrivateJwk(group, secret)
  const algorithm = { name: "ECDH", namedCurve: namedCurve(group) } as const
  return Effect.map(
    subtleCall(() => subtle.importKey("jwk", jwk, algorithm, false, ["deriveBits"])),
    (privateKey): KeyShare => ({
      group,
      publicKey: point,
      agree: (peer) =>
        agreeNistEffect(group, peer, (share) => derive(subtle, algorithm, privateKey, share, 8 * secret.length)),
    }),
  )
}

/**
 * A key pair the platform makes itself, from the same CSPRNG `systemRandom` reads: several
 * times cheaper than importing a drawn private key (OpenSSL's PKCS#8 decoder under Node) or
 * computing a NIST public point in JavaScript.
 */
const generatedShare = (subtle: Subtle, group: KeyAgreementGroup): Effect.Effect<KeyShare, SubtleRefused> => {
  const algorithm =
    group === "x25519" ? ({ name: "X25519" } as const) : ({ name: "ECDH", namedCurve: namedCurve(group) } as const)
  const bits = 8 * privateKeyLength(group)
  return Effect.flatMap(
    subtleCall(
      () =>
        subtle.generateKey(algorithm, false, ["deriveBits"]) as Promise<{
          readonly publicKey: SubtleKey
          readonly privateKey: SubtleKey
        }>,
    ),
    (pair) =>
      Effect.map(
        subtleBytes(() => subtle.exportKey("raw", pair.publicKey)),
        (publicKey): KeyShare => ({
          group,
          publicKey,
          agree: (peer) =>
            group === "x25519"
              ? agreeX25519Effect(peer, (share) => derive(subtle, algorithm, pair.privateKey, share, bits))
              : agreeNistEffect(group, peer, (share) => derive(subtle, algorithm, pair.privateKey, share, bits)),
        }),
      ),
  )
}

/** A share whose private key is drawn from `random` (see `webKeyShare`). */
const drawnShare = (subtle: Subtle, random: RandomSource, group: KeyAgreementGroup): Effect.Effect<KeyShare> =>
  Effect.suspend(() => {
    const draw = () => random(privateKeyLength(group), { _tag: "PrivateKey", group })
    let secret = draw()
    if (group !== "x25519") while (!nobleCurve(group).utils.isValidSecretKey(secret)) secret = draw()
    const share = group === "x25519" ? x25519Share(subtle, secret) : nistShare(subtle, group, secret)
    // The fallback is handed the secret already drawn, so a scripted key stays the key.
    return Effect.orElse(share, () => Effect.sync(() => nobleKeyShare(() => secret, group)))
  })

/**
 * A fresh key share. With the platform's randomness (`systemRandom`) the platform generates
 * the key pair; with any other source (the testing layer's script) the private key is
 * drawn from it with purpose `PrivateKey`, NIST scalars out of range (zero or at least the
 * order) drawn again.
 *
 * @since 0.1.0
 */
export const webKeyShare = (subtle: Subtle, random: RandomSource, group: KeyAgreementGroup): Effect.Effect<KeyShare> =>
  random === systemRandom
    ? Effect.orElse(generatedShare(subtle, group), () => drawnShare(subtle, random, group))
    : drawnShare(subtle, random, group)
