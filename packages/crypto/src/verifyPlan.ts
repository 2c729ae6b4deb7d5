/**
 * What a signature verification must do, worked out once for every layer: the key from the
 * SubjectPublicKeyInfo, whether it fits the algorithm, and (for ECDSA) the strict DER
 * signature decoded to fixed-width r||s. Layers then only run the arithmetic.
 *
 * @since 0.1.0
 */
import { Effect, Either } from "effect"
import { BadSignature, type CryptoError, UnsupportedAlgorithm } from "./errors.js"
import { inlineSuspend } from "./inline.js"
import { type PublicKeyInfo, parseEcdsaSignature, parseSpki } from "./keys.js"
import type { SignatureHash, VerifyRequest } from "./TlsCrypto.js"

type RsaKey = Extract<PublicKeyInfo, { _tag: "Rsa" }>
type EcKey = Extract<PublicKeyInfo, { _tag: "Ec" }>

/** A verification ready to run. @since 0.1.0 */
export type VerifyPlan =
  | { readonly _tag: "Ecdsa"; readonly key: EcKey; readonly hash: SignatureHash; readonly rs: Uint8Array }
  | { readonly _tag: "Ed25519"; readonly key: Uint8Array; readonly signature: Uint8Array }
  | { readonly _tag: "RsaPkcs1"; readonly key: RsaKey; readonly hash: SignatureHash; readonly signature: Uint8Array }
  | {
      readonly _tag: "RsaPss"
      readonly key: RsaKey
      readonly hash: SignatureHash
      readonly saltLength: number
      readonly signature: Uint8Array
    }

const mismatch = (key: PublicKeyInfo, algorithm: string) =>
  Either.left(new UnsupportedAlgorithm({ detail: `${algorithm} with a ${key._tag} key` }))

/**
 * Decodes the key and checks that it fits the requested algorithm.
 *
 * @since 0.1.0
 */
export const planVerify = (request: VerifyRequest): Either.Either<VerifyPlan, CryptoError> =>
  Either.flatMap(parseSpki(request.spki), (key): Either.Either<VerifyPlan, CryptoError> => {
    const algorithm = request.algorithm
    switch (algorithm._tag) {
      case "Ecdsa":
        if (key._tag !== "Ec") return mismatch(key, "ECDSA")
        return Either.map(parseEcdsaSignature(request.signature, key.curve), (rs) => ({
          _tag: "Ecdsa" as const,
          key,
          hash: algorithm.hash,
          rs,
        }))
      case "Ed25519":
        if (key._tag !== "Ed25519") return mismatch(key, "Ed25519")
        return request.signature.length === 64
          ? Either.right({ _tag: "Ed25519", key: key.key, signature: request.signature })
          : Either.left(new BadSignature({ detail: `Ed25519 signature of ${request.signature.length} bytes` }))
      case "RsaPkcs1":
        if (key._tag !== "Rsa") return mismatch(key, "RSA PKCS#1")
        if (key.pss !== undefined) return mismatch(key, "RSA PKCS#1 (key restricted to PSS)")
        return Either.right({ _tag: "RsaPkcs1", key, hash: algorithm.hash, signature: request.signature })
      case "RsaPss": {
        if (key._tag !== "Rsa") return mismatch(key, "RSA-PSS")
        const restriction = key.pss
        if (restriction !== undefined && restriction !== "any") {
          if (restriction.hash !== algorithm.hash || algorithm.saltLength < restriction.saltLength) {
            return Either.left(new UnsupportedAlgorithm({ detail: "RSA-PSS parameters outside the key's restriction" }))
          }
        }
        return Either.right({
          _tag: "RsaPss",
          key,
          hash: algorithm.hash,
          saltLength: algorithm.saltLength,
          signature: request.signature,
        })
      }
    }
  })

/**
 * A layer's `verify`: plans the request, then runs `check` (which may throw on bad input:
 * that counts as a signature that does not verify).
 *
 * @since 0.1.0
 */
export const verifyWith =
  (check: (plan: VerifyPlan, request: VerifyRequest) => boolean) =>
  (request: VerifyRequest): Effect.Effect<void, CryptoError> =>
    inlineSuspend(() =>
      Either.match(planVerify(request), {
        onLeft: Effect.fail,
        onRight: (plan) => {
          let valid: boolean
          try {
            valid = check(plan, request)
          } catch {
            valid = false
          }
          return valid
            ? Effect.void
            : Effect.fail(new BadSignature({ detail: `${plan._tag} signature does not verify` }))
        },
      }),
    )
