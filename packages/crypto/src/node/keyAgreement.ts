/**
 * Ephemeral key agreement for the node:crypto layer: x25519 through KeyObjects (imported as
 * JWKs, see jwk.ts), and ECDH on P-256/P-384 through `createECDH` with uncompressed points.
 *
 * @since 0.1.0
 */
import { createECDH, diffieHellman, type ECDH } from "node:crypto"
import { agreeNist, agreeX25519, privateKeyLength } from "../groups.js"
import type { RandomSource } from "../random.js"
import type { KeyAgreementGroup, KeyShare } from "../TlsCrypto.js"
import { okpPublicKey, okpRawPublicKey, x25519PrivateKey } from "./jwk.js"

const x25519Share = (secret: Uint8Array): KeyShare => {
  const privateKey = x25519PrivateKey(secret)
  return {
    group: "x25519",
    publicKey: okpRawPublicKey(privateKey),
    agree: (peer) =>
      agreeX25519(
        peer,
        (share) => new Uint8Array(diffieHellman({ privateKey, publicKey: okpPublicKey("X25519", share) })),
      ),
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
