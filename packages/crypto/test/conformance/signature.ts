/**
 * The signature runner (ECDSA with DER signatures, Ed25519, RSASSA-PKCS1-v1_5, RSASSA-PSS):
 * `verify({ spki: publicKeyDer, algorithm, message: msg, signature: sig })` succeeds for
 * valid cases and fails with `BadSignature` for invalid ones (the keys are all well formed,
 * so `MalformedKey` would be wrong too).
 */
import type { SignatureAlgorithm, SignatureHash } from "@effect-tls/crypto"
import type { Family } from "./decisions.js"
import { fromHex } from "./hex.js"
import { accept, reject } from "./outcome.js"
import { checkWith, type Plan, planCase, rule } from "./plan.js"
import { type GroupOf, loadVectors, type SignatureCase } from "./vectors.js"

/** The signature vector files. */
export type SignatureFile =
  | "ecdsa_secp256r1_sha256"
  | "ecdsa_secp384r1_sha384"
  | "ed25519"
  | "rsa_pss_2048_sha256_mgf1_32"
  | "rsa_pss_3072_sha256_mgf1_32"
  | "rsa_signature_2048_sha256"
  | "rsa_signature_3072_sha256"

const signatureHashes: ReadonlyArray<SignatureHash> = ["SHA-1", "SHA-256", "SHA-384", "SHA-512"]

const signatureHash = (name: string): SignatureHash | undefined => signatureHashes.find((hash) => hash === name)

/**
 * The algorithm a group's cases are verified with, or `undefined` when the interface cannot
 * express it: RSA-PSS here always uses MGF1 with the message hash, so a group with another
 * MGF or MGF hash is skipped (none in these files).
 */
const algorithmOf = (file: SignatureFile, group: GroupOf<SignatureFile>): SignatureAlgorithm | undefined => {
  if (file === "ed25519") return { _tag: "Ed25519" }
  const hash = "sha" in group ? signatureHash(group.sha) : undefined
  if (hash === undefined) return undefined
  if (file.startsWith("ecdsa_")) return { _tag: "Ecdsa", hash }
  if (file.startsWith("rsa_signature_")) return { _tag: "RsaPkcs1", hash }
  return "sLen" in group && group.mgf === "MGF1" && group.mgfSha === group.sha
    ? { _tag: "RsaPss", hash, saltLength: group.sLen }
    : undefined
}

const familyOf = (file: SignatureFile): Family | undefined =>
  file.startsWith("rsa_signature_") ? "rsa-pkcs1" : undefined

/** Plans every case of a signature file. */
export const planSignature = (file: SignatureFile): Plan => {
  let skipped = 0
  const groups: ReadonlyArray<GroupOf<SignatureFile>> = loadVectors(file).testGroups
  const cases = groups.flatMap((group) => {
    const algorithm = algorithmOf(file, group)
    if (algorithm === undefined) {
      skipped += group.tests.length
      return []
    }
    const spki = fromHex(group.publicKeyDer)
    return group.tests.map((testCase: SignatureCase) => {
      const message = fromHex(testCase.msg)
      const signature = fromHex(testCase.sig)
      const ruling = rule(file, testCase, accept(), reject("BadSignature"), familyOf(file))
      return planCase(testCase, ruling, (verdict, label) =>
        checkWith(`${label} verify`, (crypto) => crypto.verify({ spki, algorithm, message, signature }), verdict),
      )
    })
  })
  return { file, cases, skipped }
}
