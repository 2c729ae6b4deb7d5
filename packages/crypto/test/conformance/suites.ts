/**
 * Every vector file the conformance suite runs, with its runner and the number of cases it
 * is expected to skip (so a skip is always deliberate and visible).
 */
import { planAead } from "./aead.js"
import { planHkdf } from "./hkdf.js"
import { planHmac } from "./hmac.js"
import { planKeyAgreement } from "./keyAgreement.js"
import type { Plan } from "./plan.js"
import type { Provider } from "./providers.js"
import { planSignature } from "./signature.js"
import type { VectorName } from "./vectors.js"

/** One vector file of the suite. */
export interface Suite {
  readonly file: VectorName
  readonly plan: (provider: Provider) => Plan
  /** Cases the runner skips on purpose. */
  readonly skipped: number
}

/** The suite, file by file. */
export const suites: ReadonlyArray<Suite> = [
  // 183 cases with nonces other than 96 bits or 192-bit keys: not in TLS.
  { file: "aes_gcm", plan: () => planAead("aes_gcm"), skipped: 183 },
  { file: "chacha20_poly1305", plan: () => planAead("chacha20_poly1305"), skipped: 0 },
  { file: "x25519", plan: (provider) => planKeyAgreement("x25519", provider.scripted), skipped: 0 },
  {
    file: "ecdh_secp256r1_ecpoint",
    plan: (provider) => planKeyAgreement("ecdh_secp256r1_ecpoint", provider.scripted),
    skipped: 0,
  },
  {
    file: "ecdh_secp384r1_ecpoint",
    plan: (provider) => planKeyAgreement("ecdh_secp384r1_ecpoint", provider.scripted),
    skipped: 0,
  },
  { file: "ecdsa_secp256r1_sha256", plan: () => planSignature("ecdsa_secp256r1_sha256"), skipped: 0 },
  { file: "ecdsa_secp384r1_sha384", plan: () => planSignature("ecdsa_secp384r1_sha384"), skipped: 0 },
  { file: "ed25519", plan: () => planSignature("ed25519"), skipped: 0 },
  { file: "rsa_signature_2048_sha256", plan: () => planSignature("rsa_signature_2048_sha256"), skipped: 0 },
  { file: "rsa_signature_3072_sha256", plan: () => planSignature("rsa_signature_3072_sha256"), skipped: 0 },
  { file: "rsa_pss_2048_sha256_mgf1_32", plan: () => planSignature("rsa_pss_2048_sha256_mgf1_32"), skipped: 0 },
  { file: "rsa_pss_3072_sha256_mgf1_32", plan: () => planSignature("rsa_pss_3072_sha256_mgf1_32"), skipped: 0 },
  { file: "hkdf_sha256", plan: () => planHkdf("hkdf_sha256"), skipped: 0 },
  { file: "hkdf_sha384", plan: () => planHkdf("hkdf_sha384"), skipped: 0 },
  { file: "hmac_sha256", plan: () => planHmac("hmac_sha256"), skipped: 0 },
  { file: "hmac_sha384", plan: () => planHmac("hmac_sha384"), skipped: 0 },
]
