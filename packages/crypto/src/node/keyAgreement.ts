/**
 * Ephemeral key agreement for the node:crypto layer: x25519 through KeyObjects, and ECDH on
 * P-256/P-384 through `createECDH` with uncompressed points.
 *
 * @since 0.1.0
 */
import { createECDH, createPrivateKey, createPublicKey, diffieHellman, type ECDH } from "node:crypto"
import { concatBytes } from "../bytes.js"
import { agreeNist, agreeX25519, privateKeyLength } from "../groups.js"
import type { RandomSource } from "../random.js"
import type { KeyAgreementGroup, KeyShare } from "../TlsCrypto.js"

// Fixed DER prefixes of X25519 keys (RFC 8410): PKCS#8 before the 32-byte private key, SPKI before the public key.
const x25519Pkcs8Prefix = Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x6e,
  0x04,
  0x22,
  0x04,
  0x20,
)
const x25519SpkiPrefix = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00)

const x25519Share = (secret: Uint8Array): KeyShare => {
  const privateKey = createPrivateKey({
    key: Buffer.from(concatBytes(x25519Pkcs8Prefix, secret)),
    format: "der",
    type: "pkcs8",
  })
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" })
  return {
    group: "x25519",
    publicKey: new Uint8Array(spki.subarray(spki.length - 32)),
    agree: (peer) =>
      agreeX25519(peer, (share) => {
        const publicKey = createPublicKey({
          key: Buffer.from(concatBytes(x25519SpkiPrefix, share)),
          format: "der",
          type: "spki",
        })
        return new Uint8Array(diffieHellman({ privateKey, publicKey }))
      }),
  }
}

const ecdhWith = (group: "secp256r1" | "secp384r1", secret: Uint8Array): ECDH | undefined => {
  const ecdh = createECDH(group === "secp256r1" ? "prime256v1" : "secp384r1")
  try {
    ecdh.setPrivateKey(secret)
    return ecdh
  } catch {
    return undefined
  }
}

/**
 * A fresh key share whose private key is drawn from `random` with purpose `PrivateKey`;
 * NIST scalars out of range are drawn again.
 *
 * @since 0.1.0
 */
export const nodeKeyShare = (random: RandomSource, group: KeyAgreementGroup): KeyShare => {
  const draw = () => random(privateKeyLength(group), { _tag: "PrivateKey", group })
  if (group === "x25519") return x25519Share(draw())
  let ecdh = ecdhWith(group, draw())
  while (ecdh === undefined) ecdh = ecdhWith(group, draw())
  const ready = ecdh
  return {
    group,
    publicKey: new Uint8Array(ready.getPublicKey(null, "uncompressed")),
    agree: (peer) => agreeNist(group, peer, (share) => new Uint8Array(ready.computeSecret(share))),
  }
}
