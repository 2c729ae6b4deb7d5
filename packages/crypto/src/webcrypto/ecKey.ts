/**
 * EC private keys into WebCrypto, the one way every platform takes them: a JWK with `d`,
 * `x` and `y` (RFC 7518 section 6.2.2), the public point computed by noble. PKCS#8 without
 * the public point would spare that computation, but Safari refuses such keys and Firefox
 * cannot export them again.
 *
 * @since 0.1.0
 */
import { p256, p384 } from "@noble/curves/nist.js"
import type { EcCurve } from "../keys.js"
import { toBase64Url } from "./base64url.js"
import { namedCurve } from "./params.js"
import type { Jwk } from "./subtle.js"

/** The noble curve of a NIST group. @since 0.1.0 */
export const nobleCurve = (curve: EcCurve) => (curve === "secp256r1" ? p256 : p384)

/**
 * The JWK of a valid private scalar of `curve`, and its uncompressed public point.
 *
 * @since 0.1.0
 */
export const ecPrivateJwk = (curve: EcCurve, scalar: Uint8Array): { readonly jwk: Jwk; readonly point: Uint8Array } => {
  const point = nobleCurve(curve).getPublicKey(scalar, false)
  const size = scalar.length
  return {
    jwk: {
      kty: "EC",
      crv: namedCurve(curve),
      d: toBase64Url(scalar),
      x: toBase64Url(point.subarray(1, 1 + size)),
      y: toBase64Url(point.subarray(1 + size)),
    },
    point,
  }
}
