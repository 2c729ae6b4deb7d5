/**
 * KeyObjects for node:crypto from raw key material, imported as JSON Web Keys. node's DER
 * import (`createPublicKey({ format: "der" })`) goes through OpenSSL 3's decoder lookup and
 * costs 0.2-1 ms per key; the JWK path builds the same key in a tenth of that, which matters
 * when every handshake imports three of them.
 *
 * @since 0.1.0
 */
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto"
import type { EcCurve } from "../keys.js"

const base64Url = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url")

const bigintBase64Url = (value: bigint): string => {
  const hex = value.toString(16)
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, "hex").toString("base64url")
}

/** An X25519 or Ed25519 public key from its 32 raw bytes. Throws on a malformed key. @since 0.1.0 */
export const okpPublicKey = (curve: "X25519" | "Ed25519", raw: Uint8Array): KeyObject =>
  createPublicKey({ key: { kty: "OKP", crv: curve, x: base64Url(raw) }, format: "jwk" })

/**
 * An X25519 private key from its 32 raw bytes. node requires the `x` member to be a string
 * but derives the public key from `d` itself, so it is left empty.
 *
 * @since 0.1.0
 */
export const x25519PrivateKey = (raw: Uint8Array): KeyObject =>
  createPrivateKey({ key: { kty: "OKP", crv: "X25519", d: base64Url(raw), x: "" }, format: "jwk" })

/** The 32 raw bytes of an X25519 or Ed25519 public key. @since 0.1.0 */
export const okpRawPublicKey = (key: KeyObject): Uint8Array =>
  new Uint8Array(Buffer.from(String(key.export({ format: "jwk" }).x), "base64url"))

/**
 * An ECDSA public key from an uncompressed SEC1 point (`04 || x || y`); `undefined` for a
 * compressed point, which the caller imports from the SPKI instead. Throws when the point is
 * not on the curve.
 *
 * @since 0.1.0
 */
export const ecPublicKey = (curve: EcCurve, point: Uint8Array): KeyObject | undefined => {
  if (point[0] !== 0x04) return undefined
  const size = (point.length - 1) / 2
  return createPublicKey({
    key: {
      kty: "EC",
      crv: curve === "secp256r1" ? "P-256" : "P-384",
      x: base64Url(point.subarray(1, 1 + size)),
      y: base64Url(point.subarray(1 + size)),
    },
    format: "jwk",
  })
}

/** An RSA public key from its modulus and exponent. @since 0.1.0 */
export const rsaPublicKey = (modulus: bigint, exponent: bigint): KeyObject =>
  createPublicKey({ key: { kty: "RSA", n: bigintBase64Url(modulus), e: bigintBase64Url(exponent) }, format: "jwk" })
