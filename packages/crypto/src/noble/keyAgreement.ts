/**
 * Ephemeral key agreement for the noble layer: x25519 (RFC 7748) and ECDH on P-256/P-384
 * with uncompressed points, as TLS 1.3 carries them (RFC 8446 section 4.2.8.2).
 *
 * @since 0.1.0
 */
import { x25519 } from "@noble/curves/ed25519.js"
import { p256, p384 } from "@noble/curves/nist.js"
import { agreeNist, agreeX25519, privateKeyLength } from "../groups.js"
import type { RandomSource } from "../random.js"
import type { KeyAgreementGroup, KeyShare } from "../TlsCrypto.js"

const nistCurve = (group: "secp256r1" | "secp384r1") => (group === "secp256r1" ? p256 : p384)

/**
 * A fresh key share whose private key is drawn from `random` with purpose `PrivateKey`;
 * NIST scalars out of range (zero or at least the order) are drawn again.
 *
 * @since 0.1.0
 */
export const nobleKeyShare = (random: RandomSource, group: KeyAgreementGroup): KeyShare => {
  const draw = () => random(privateKeyLength(group), { _tag: "PrivateKey", group })
  if (group === "x25519") {
    const secret = draw()
    return {
      group,
      publicKey: x25519.getPublicKey(secret),
      agree: (peer) => agreeX25519(peer, (share) => x25519.getSharedSecret(secret, share)),
    }
  }
  const curve = nistCurve(group)
  let secret = draw()
  while (!curve.utils.isValidSecretKey(secret)) secret = draw()
  return {
    group,
    publicKey: curve.getPublicKey(secret, false),
    agree: (peer) => agreeNist(group, peer, (share) => curve.getSharedSecret(secret, share, true).subarray(1)),
  }
}
