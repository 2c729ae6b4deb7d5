/**
 * Signature verification and signing for the node:crypto layer. Keys and ECDSA signatures
 * are decoded by the shared strict code first (see verifyPlan.ts), so both layers accept
 * and reject the same inputs.
 *
 * @since 0.1.0
 */
import { constants, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto"
import { Effect } from "effect"
import { MalformedKey, UnsupportedAlgorithm } from "../errors.js"
import { checkSigningAlgorithm } from "../signingAlgorithm.js"
import type { SignatureAlgorithm, SigningKey, SigningKeyType, VerifyRequest } from "../TlsCrypto.js"
import { type VerifyPlan, verifyWith } from "../verifyPlan.js"
import { nodeHashName } from "./hash.js"
import { ecPublicKey, okpPublicKey, rsaPublicKey } from "./jwk.js"

type KeyInput =
  | KeyObject
  | { key: KeyObject; padding?: number; saltLength?: number; dsaEncoding?: "der" | "ieee-p1363" }

const keyInput = (key: KeyObject, algorithm: SignatureAlgorithm, dsaEncoding: "der" | "ieee-p1363"): KeyInput => {
  switch (algorithm._tag) {
    case "Ecdsa":
      return { key, dsaEncoding }
    case "Ed25519":
      return key
    case "RsaPkcs1":
      return { key, padding: constants.RSA_PKCS1_PADDING }
    case "RsaPss":
      return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: algorithm.saltLength }
  }
}

const hashOf = (algorithm: SignatureAlgorithm): string | null =>
  algorithm._tag === "Ed25519" ? null : nodeHashName(algorithm.hash)

const spkiKey = (request: VerifyRequest): KeyObject =>
  createPublicKey({ key: Buffer.from(request.spki), format: "der", type: "spki" })

/** The plan's key as a KeyObject, through the JWK import where it applies (see jwk.ts). */
const publicKeyOf = (plan: VerifyPlan, request: VerifyRequest): KeyObject => {
  switch (plan._tag) {
    case "Ecdsa":
      return ecPublicKey(plan.key.curve, plan.key.point) ?? spkiKey(request)
    case "Ed25519":
      return okpPublicKey("Ed25519", plan.key)
    case "RsaPkcs1":
    case "RsaPss":
      return rsaPublicKey(plan.key.modulus, plan.key.exponent)
  }
}

/**
 * Public keys imported before, by their SubjectPublicKeyInfo: a client checks the same
 * trust anchors (and often the same server certificates) on every handshake, and importing
 * a key costs a sizeable part of verifying with it. At most `importedKeysLimit`, the oldest
 * dropped first.
 */
const importedKeys = new Map<string, KeyObject>()
const importedKeysLimit = 256

const importedKeyOf = (plan: VerifyPlan, request: VerifyRequest): KeyObject => {
  const spki = request.spki
  const id = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength).toString("latin1")
  let key = importedKeys.get(id)
  if (key === undefined) {
    key = publicKeyOf(plan, request)
    if (importedKeys.size >= importedKeysLimit) importedKeys.delete(importedKeys.keys().next().value as string)
    importedKeys.set(id, key)
  }
  return key
}

const runPlan = (plan: VerifyPlan, request: VerifyRequest): boolean => {
  const key = importedKeyOf(plan, request)
  const signature = plan._tag === "Ecdsa" ? plan.rs : request.signature
  return verify(hashOf(request.algorithm), request.message, keyInput(key, request.algorithm, "ieee-p1363"), signature)
}

/** Verifies a signature with node:crypto. @since 0.1.0 */
export const nodeVerify = verifyWith(runPlan)

const keyType = (key: KeyObject): SigningKeyType | undefined => {
  switch (key.asymmetricKeyType) {
    case "ec": {
      const curve = key.asymmetricKeyDetails?.namedCurve
      return curve === "prime256v1" ? "ecdsa-secp256r1" : curve === "secp384r1" ? "ecdsa-secp384r1" : undefined
    }
    case "ed25519":
      return "ed25519"
    case "rsa":
      return "rsa"
    case "rsa-pss":
      return "rsa-pss"
    default:
      return undefined
  }
}

/** Imports a PKCS#8 private key (ECDSA P-256/P-384, Ed25519, RSA, RSA-PSS) for signing. @since 0.1.0 */
export const nodeImportSigningKey = (
  pkcs8: Uint8Array,
): Effect.Effect<SigningKey, MalformedKey | UnsupportedAlgorithm> =>
  Effect.suspend((): Effect.Effect<SigningKey, MalformedKey | UnsupportedAlgorithm> => {
    let privateKey: KeyObject
    try {
      privateKey = createPrivateKey({ key: Buffer.from(pkcs8), format: "der", type: "pkcs8" })
    } catch (error) {
      return Effect.fail(new MalformedKey({ detail: `PKCS#8: ${String(error)}` }))
    }
    const type = keyType(privateKey)
    if (type === undefined) {
      return Effect.fail(new UnsupportedAlgorithm({ detail: `private key type ${privateKey.asymmetricKeyType}` }))
    }
    const publicKey = new Uint8Array(createPublicKey(privateKey).export({ format: "der", type: "spki" }))
    return Effect.succeed<SigningKey>({
      type,
      publicKey,
      sign: (algorithm, message) =>
        Effect.zipRight(
          checkSigningAlgorithm(type, algorithm),
          Effect.sync(() => new Uint8Array(sign(hashOf(algorithm), message, keyInput(privateKey, algorithm, "der")))),
        ),
    })
  })
