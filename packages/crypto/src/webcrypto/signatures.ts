/**
 * Signature verification for the WebCrypto layer. Requests are planned by the
 * shared strict code (verifyPlan.ts), and `subtle` imports the key material the plan
 * decoded (the EC point and Ed25519 key raw, the RSA modulus and exponent as a JWK, so
 * id-RSASSA-PSS keys work too). Where `subtle` refuses a key (Ed25519 missing from older
 * browsers, sizes it does not take), the noble verifier decides instead.
 *
 * @since 0.1.0
 */
import { Effect, Either } from "effect"
import { bigIntToBytes, byteLength } from "../bigint.js"
import { BadSignature, type CryptoError } from "../errors.js"
import { nobleVerify } from "../noble/signatures.js"
import type { VerifyRequest } from "../TlsCrypto.js"
import { planVerify, type VerifyPlan } from "../verifyPlan.js"
import { toBase64Url } from "./base64url.js"
import { namedCurve, rsaImportParams, signatureParams } from "./params.js"
import type { Jwk, Subtle, SubtleKey, SubtleRefused } from "./subtle.js"
import { subtleCall } from "./subtle.js"

/** The JWK of an RSA public key (RFC 7518 section 6.3.1). */
const rsaJwk = (key: { readonly modulus: bigint; readonly exponent: bigint }): Jwk => ({
  kty: "RSA",
  n: toBase64Url(bigIntToBytes(key.modulus, byteLength(key.modulus))!),
  e: toBase64Url(bigIntToBytes(key.exponent, byteLength(key.exponent))!),
})

/** Imports the plan's public key for `subtle.verify`. */
const importPublicKey = (subtle: Subtle, plan: VerifyPlan): Effect.Effect<SubtleKey, SubtleRefused> => {
  switch (plan._tag) {
    case "Ecdsa":
      return subtleCall(() =>
        subtle.importKey("raw", plan.key.point, { name: "ECDSA", namedCurve: namedCurve(plan.key.curve) }, false, [
          "verify",
        ]),
      )
    case "Ed25519":
      return subtleCall(() => subtle.importKey("raw", plan.key, { name: "Ed25519" }, false, ["verify"]))
    case "RsaPkcs1":
    case "RsaPss":
      return subtleCall(() => subtle.importKey("jwk", rsaJwk(plan.key), rsaImportParams(plan), false, ["verify"]))
  }
}

/** Runs the plan on `subtle`: whether the signature verifies; `SubtleRefused` when the key was not imported. */
const runPlan = (subtle: Subtle, plan: VerifyPlan, request: VerifyRequest): Effect.Effect<boolean, SubtleRefused> => {
  const signature = plan._tag === "Ecdsa" ? plan.rs : plan.signature
  return Effect.flatMap(importPublicKey(subtle, plan), (key) =>
    // A verify call that rejects (say, a signature of the wrong length) is a signature that does not verify.
    Effect.orElseSucceed(
      subtleCall(() => subtle.verify(signatureParams(request.algorithm), key, signature, request.message)),
      () => false,
    ),
  )
}

/**
 * Verifies a signature with `subtle`, or with noble where `subtle` refuses the key.
 *
 * @since 0.1.0
 */
export const webVerify =
  (subtle: Subtle) =>
  (request: VerifyRequest): Effect.Effect<void, CryptoError> =>
    Effect.suspend(() =>
      Either.match(planVerify(request), {
        onLeft: Effect.fail,
        onRight: (plan) =>
          runPlan(subtle, plan, request).pipe(
            Effect.matchEffect({
              onFailure: () => nobleVerify(request),
              onSuccess: (valid) =>
                valid
                  ? Effect.void
                  : Effect.fail(new BadSignature({ detail: `${plan._tag} signature does not verify` })),
            }),
          ),
      }),
    )
