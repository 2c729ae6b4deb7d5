/**
 * The noble hash functions a signature may use, by name (SHA-1 only so policy can see it).
 *
 * @since 0.1.0
 */
import { sha1 } from "@noble/hashes/legacy.js"
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js"
import type { SignatureHash } from "../TlsCrypto.js"

/** The noble hash function for a signature hash name. @since 0.1.0 */
export const signatureHashFunction = (hash: SignatureHash) =>
  hash === "SHA-1" ? sha1 : hash === "SHA-256" ? sha256 : hash === "SHA-384" ? sha384 : sha512
