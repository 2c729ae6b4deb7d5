/**
 * Signature verification and signing for the noble layer: ECDSA (P-256/P-384), Ed25519
 * (RFC 8032, strict), and RSA verification through our BigInt implementation.
 *
 * @since 0.1.0
 */
import { ed25519 } from "@noble/curves/ed25519.js"
import { p256, p384 } from "@noble/curves/nist.js"
import { Effect, Either } from "effect"
import { type CryptoError, MalformedKey, UnsupportedAlgorithm } from "../errors.js"
import { encodeSpki, parsePkcs8 } from "../keys.js"
import { checkSigningAlgorithm } from "../signingAlgorithm.js"
import type { SignatureHash, SigningKey } from "../TlsCrypto.js"
import { type VerifyPlan, verifyWith } from "../verifyPlan.js"
import { rsaVerifyPkcs1, rsaVerifyPss } from "./rsa.js"
import { signatureHashFunction } from "./signatureHash.js"

const curveOf = (curve: "secp256r1" | "secp384r1") => (curve === "secp256r1" ? p256 : p384)

const runPlan = (plan: VerifyPlan, message: Uint8Array): boolean => {
  switch (plan._tag) {
    case "Ecdsa":
      return curveOf(plan.key.curve).verify(plan.rs, signatureHashFunction(plan.hash)(message), plan.key.point, {
        prehash: false,
        lowS: false,
        format: "compact",
      })
    case "Ed25519":
      return ed25519.verify(plan.signature, message, plan.key, { zip215: false })
    case "RsaPkcs1":
      return rsaVerifyPkcs1(plan.key, plan.hash, signatureHashFunction(plan.hash)(message), plan.signature)
    case "RsaPss":
      return rsaVerifyPss(
        plan.key,
        plan.hash,
        plan.saltLength,
        signatureHashFunction(plan.hash)(message),
        plan.signature,
      )
  }
}

/** Verifies a signature with noble and BigInt RSA. @since 0.1.0 */
export const nobleVerify = verifyWith((plan, request) => runPlan(plan, request.message))

const ecdsaKey = (curve: "secp256r1" | "secp384r1", scalar: Uint8Array): SigningKey => {
  const ec = curveOf(curve)
  const type = curve === "secp256r1" ? "ecdsa-secp256r1" : "ecdsa-secp384r1"
  return {
    type,
    publicKey: encodeSpki({ _tag: "Ec", curve, point: ec.getPublicKey(scalar, false) }),
    sign: (algorithm, message) =>
      Effect.zipRight(
        checkSigningAlgorithm(type, algorithm),
        Effect.sync(() =>
          ec.sign(signatureHashFunction((algorithm as { hash: SignatureHash }).hash)(message), scalar, {
            prehash: false,
            format: "der",
          }),
        ),
      ),
  }
}

const ed25519Key = (seed: Uint8Array): SigningKey => ({
  type: "ed25519",
  publicKey: encodeSpki({ _tag: "Ed25519", key: ed25519.getPublicKey(seed) }),
  sign: (algorithm, message) =>
    Effect.zipRight(
      checkSigningAlgorithm("ed25519", algorithm),
      Effect.sync(() => ed25519.sign(message, seed)),
    ),
})

/**
 * Imports a PKCS#8 private key: ECDSA P-256/P-384 and Ed25519. RSA signing needs the node
 * layer (noble has no RSA, and we implement only public-key operations).
 *
 * @since 0.1.0
 */
export const nobleImportSigningKey = (pkcs8: Uint8Array): Effect.Effect<SigningKey, CryptoError> =>
  Effect.suspend(() =>
    Either.match(parsePkcs8(pkcs8), {
      onLeft: Effect.fail,
      onRight: (info): Effect.Effect<SigningKey, CryptoError> => {
        switch (info._tag) {
          case "Ec":
            return curveOf(info.curve).utils.isValidSecretKey(info.scalar)
              ? Effect.succeed(ecdsaKey(info.curve, info.scalar))
              : Effect.fail(new MalformedKey({ detail: "EC private key out of range" }))
          case "Ed25519":
            return Effect.succeed(ed25519Key(info.seed))
          case "Rsa":
            return Effect.fail(new UnsupportedAlgorithm({ detail: "RSA signing is available in the node layer only" }))
        }
      },
    }),
  )
