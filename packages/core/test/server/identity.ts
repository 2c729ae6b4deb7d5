/**
 * Test identities for the scripted server (and for client authentication): a key pair
 * from `node:crypto` and a self-signed X.509 v1 certificate for it, built by hand with the
 * DER writer. The accept-all verifier does not check it; it only has to parse, so the
 * client can take the leaf's key to check CertificateVerify. One identity per key type is
 * made per test file, so reruns in a file see the same bytes.
 */
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto"
import { DerTag, derBitString, derElement, derInteger, derOid, derSequence } from "@effect-tls/crypto/der"
import { SignatureScheme } from "../../src/wire/codes.js"

/** A certificate, its private key and the CertificateVerify scheme the key signs with. */
export interface Identity {
  /** The self-signed certificate, DER. */
  readonly certificate: Uint8Array
  /** The private key, PKCS#8 DER (for `TlsCrypto.importSigningKey`). */
  readonly pkcs8: Uint8Array
  /** The TLS 1.3 signature scheme matching the key. */
  readonly scheme: number
}

/** The key types identities come in. */
export type IdentityKey = "ed25519" | "p256"

const signatureOid: Readonly<Record<IdentityKey, string>> = {
  ed25519: "1.3.101.112",
  p256: "1.2.840.10045.4.3.2",
}

const encoder = new TextEncoder()

const name = (commonName: string): Uint8Array =>
  derSequence(
    derElement(DerTag.Set, derSequence(derOid("2.5.4.3"), derElement(DerTag.Utf8String, encoder.encode(commonName)))),
  )

const utcTime = (text: string): Uint8Array => derElement(DerTag.UtcTime, encoder.encode(text))

const keyPair = (key: IdentityKey): { publicKey: KeyObject; privateKey: KeyObject } =>
  key === "ed25519" ? generateKeyPairSync("ed25519") : generateKeyPairSync("ec", { namedCurve: "prime256v1" })

const make = (key: IdentityKey, commonName: string): Identity => {
  const { publicKey, privateKey } = keyPair(key)
  const algorithm = derSequence(derOid(signatureOid[key]))
  const tbs = derSequence(
    derInteger(1n),
    algorithm,
    name(commonName),
    derSequence(utcTime("250101000000Z"), utcTime("491231235959Z")),
    name(commonName),
    new Uint8Array(publicKey.export({ format: "der", type: "spki" })),
  )
  const signature = sign(key === "ed25519" ? null : "sha256", tbs, privateKey)
  return {
    certificate: derSequence(tbs, algorithm, derBitString(new Uint8Array(signature))),
    pkcs8: new Uint8Array(privateKey.export({ format: "der", type: "pkcs8" })),
    scheme: key === "ed25519" ? SignatureScheme.ed25519 : SignatureScheme.ecdsa_secp256r1_sha256,
  }
}

const made = new Map<string, Identity>()

/** The identity of `key` type for `commonName`, made once per test file. */
export const identity = (key: IdentityKey, commonName = "scripted.test"): Identity => {
  const id = `${key}/${commonName}`
  let found = made.get(id)
  if (found === undefined) {
    found = make(key, commonName)
    made.set(id, found)
  }
  return found
}
