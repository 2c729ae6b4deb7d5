/**
 * Key and signature formats shared by the layers: SubjectPublicKeyInfo (RFC 5280, 5480,
 * 8410, 8017/4055), PKCS#8 private keys (RFC 5208/5958 around RFC 5915, RFC 8410 and
 * RFC 8017 keys) and the DER ECDSA signature (RFC 5480 `Ecdsa-Sig-Value`). Decoding is
 * strict DER and never throws: it ends in `MalformedKey`, `UnsupportedAlgorithm` or
 * `BadSignature`.
 *
 * @since 0.1.0
 */
import { Either } from "effect"
import { bitLength, bytesToBigInt } from "./bigint.js"
import { copyBytes } from "./bytes.js"
import {
  contextTag,
  DerError,
  type DerReader,
  DerTag,
  decodeDer,
  derBitString,
  derInteger,
  derOid,
  derSequence,
} from "./der.js"
import { BadSignature, MalformedKey, UnsupportedAlgorithm } from "./errors.js"
import { hashFromOid, Oid } from "./oids.js"
import type { SignatureHash } from "./TlsCrypto.js"

/** The elliptic curves of ECDSA keys. @since 0.1.0 */
export type EcCurve = "secp256r1" | "secp384r1"

/**
 * What an id-RSASSA-PSS key allows: `"any"` when its parameters are absent, otherwise the
 * hash (MGF1 uses the same one; other MGF1 hashes are unsupported) and the salt length
 * from the parameters, which RFC 4055 and OpenSSL treat as the minimum salt length.
 *
 * @since 0.1.0
 */
export type RsaPssRestriction = "any" | { readonly hash: SignatureHash; readonly saltLength: number }

/** An ECDSA public key: the SEC1 point as in the SPKI (uncompressed or compressed; curve membership is the layers' check). @since 0.1.0 */
export interface EcPublicKeyInfo {
  readonly _tag: "Ec"
  readonly curve: EcCurve
  readonly point: Uint8Array
}

/** An Ed25519 public key (32 bytes). @since 0.1.0 */
export interface Ed25519PublicKeyInfo {
  readonly _tag: "Ed25519"
  readonly key: Uint8Array
}

/**
 * An RSA public key: odd positive modulus of 512..16384 bits, odd exponent with
 * 3 <= e < min(n, 2^33). `pss` is set for id-RSASSA-PSS keys.
 *
 * @since 0.1.0
 */
export interface RsaPublicKeyInfo {
  readonly _tag: "Rsa"
  readonly modulus: bigint
  readonly exponent: bigint
  readonly bits: number
  readonly pss: RsaPssRestriction | undefined
}

/** A decoded SubjectPublicKeyInfo. @since 0.1.0 */
export type PublicKeyInfo = EcPublicKeyInfo | Ed25519PublicKeyInfo | RsaPublicKeyInfo

/** An ECDSA private key: the scalar left-padded to the curve size, and the ECPrivateKey's public point when present. @since 0.1.0 */
export interface EcPrivateKeyInfo {
  readonly _tag: "Ec"
  readonly curve: EcCurve
  readonly scalar: Uint8Array
  readonly publicPoint: Uint8Array | undefined
}

/** An Ed25519 private key: the 32-byte seed (RFC 8032 section 5.1.5). @since 0.1.0 */
export interface Ed25519PrivateKeyInfo {
  readonly _tag: "Ed25519"
  readonly seed: Uint8Array
}

/** An RSA private key: its public fields, and the whole PKCS#8 DER, since only the node layer signs with RSA. @since 0.1.0 */
export interface RsaPrivateKeyInfo extends Omit<RsaPublicKeyInfo, "_tag"> {
  readonly _tag: "Rsa"
  readonly der: Uint8Array
}

/** A decoded PKCS#8 private key. @since 0.1.0 */
export type PrivateKeyInfo = EcPrivateKeyInfo | Ed25519PrivateKeyInfo | RsaPrivateKeyInfo

/** Size in bytes of a field element and scalar of `curve`. @since 0.1.0 */
export const namedCurveSize = (curve: EcCurve): number => (curve === "secp256r1" ? 32 : 48)

type KeyAlgorithm =
  | { readonly _tag: "Ec"; readonly curve: EcCurve }
  | { readonly _tag: "Ed25519" }
  | { readonly _tag: "Rsa"; readonly pss: RsaPssRestriction | undefined }

const malformed = (detail: string): never => {
  throw new MalformedKey({ detail })
}

const unsupported = (detail: string): never => {
  throw new UnsupportedAlgorithm({ detail })
}

/** Runs a DER decoder in which semantic checks throw `MalformedKey` or `UnsupportedAlgorithm`. */
const decodeKey = <A>(
  what: string,
  bytes: Uint8Array,
  read: (reader: DerReader) => A,
): Either.Either<A, MalformedKey | UnsupportedAlgorithm> => {
  try {
    return Either.mapLeft(decodeDer(bytes, read), (error) => new MalformedKey({ detail: `${what}: ${error.detail}` }))
  } catch (error) {
    if (error instanceof MalformedKey || error instanceof UnsupportedAlgorithm) return Either.left(error)
    throw error
  }
}

const curveFromOid = (oid: string): EcCurve =>
  oid === Oid.secp256r1 ? "secp256r1" : oid === Oid.secp384r1 ? "secp384r1" : unsupported(`EC curve ${oid}`)

/** `HashAlgorithm ::= AlgorithmIdentifier`: parameters NULL or absent (RFC 4055 section 2.1). */
const readHashAlgorithm = (reader: DerReader): SignatureHash => {
  const algorithm = reader.sequence()
  const oid = algorithm.oid()
  const hash = hashFromOid(oid) ?? unsupported(`hash ${oid}`)
  if (!algorithm.atEnd()) algorithm.null()
  algorithm.end()
  return hash
}

/** An optional EXPLICIT field `[n]` of a parameter SEQUENCE, or its DEFAULT. */
const explicitField = <A>(params: DerReader, n: number, read: (reader: DerReader) => A, fallback: A): A => {
  const field = params.optionalExplicit(n)
  if (field === undefined) return fallback
  const value = read(field)
  field.end()
  return value
}

/** `RSASSA-PSS-params` (RFC 4055 section 3.1); explicitly encoded defaults are accepted. */
const readPssParams = (params: DerReader): RsaPssRestriction => {
  const hash = explicitField(params, 0, readHashAlgorithm, "SHA-1")
  const mgfHash = explicitField(
    params,
    1,
    (reader) => {
      const mgf = reader.sequence()
      const oid = mgf.oid()
      if (oid !== Oid.mgf1) unsupported(`mask generation function ${oid}`)
      const value = readHashAlgorithm(mgf)
      mgf.end()
      return value
    },
    "SHA-1",
  )
  const saltLength = explicitField(params, 2, (reader) => reader.smallInteger(), 20)
  const trailerField = explicitField(params, 3, (reader) => reader.smallInteger(), 1)
  params.end()
  if (mgfHash !== hash) unsupported(`RSA-PSS with ${hash} and MGF1 with ${mgfHash}`)
  if (trailerField !== 1) malformed(`RSA-PSS trailer field ${trailerField}`)
  return { hash, saltLength }
}

/**
 * The key's `AlgorithmIdentifier`. rsaEncryption requires NULL parameters (RFC 3279
 * section 2.3.1; absent is rejected, as Go does); Ed25519 requires them absent
 * (RFC 8410 section 3); EC requires a namedCurve (RFC 5480 section 2.1.1).
 */
const readKeyAlgorithm = (reader: DerReader): KeyAlgorithm => {
  const algorithm = reader.sequence()
  const oid = algorithm.oid()
  let result: KeyAlgorithm
  switch (oid) {
    case Oid.ecPublicKey: {
      const tag = algorithm.peekTag()
      if (tag === undefined) return malformed("EC key without curve parameters")
      if (tag !== DerTag.ObjectIdentifier) return unsupported("EC key with explicit or implicit curve parameters")
      result = { _tag: "Ec", curve: curveFromOid(algorithm.oid()) }
      break
    }
    case Oid.ed25519:
      result = { _tag: "Ed25519" }
      break
    case Oid.rsaEncryption:
      if (algorithm.atEnd()) return malformed("rsaEncryption without NULL parameters")
      algorithm.null()
      result = { _tag: "Rsa", pss: undefined }
      break
    case Oid.rsassaPss:
      result = { _tag: "Rsa", pss: algorithm.atEnd() ? "any" : readPssParams(algorithm.sequence()) }
      break
    default:
      return unsupported(`key algorithm ${oid}`)
  }
  algorithm.end()
  return result
}

/** Checks the SEC1 encoding of a point: 0x04 with both coordinates, or 0x02/0x03 with x. */
const checkPoint = (curve: EcCurve, point: Uint8Array): Uint8Array => {
  const size = namedCurveSize(curve)
  const form = point[0]
  const ok =
    (form === 0x04 && point.length === 1 + 2 * size) || ((form === 0x02 || form === 0x03) && point.length === 1 + size)
  return ok ? point : malformed(`${curve} point of ${point.length} bytes with form ${form}`)
}

const MAX_RSA_EXPONENT = 1n << 33n

/** Checks modulus and exponent (RFC 8017 section 3.1) and our size limits. */
const rsaKey = (modulus: bigint, exponent: bigint, pss: RsaPssRestriction | undefined) => {
  if (modulus <= 0n || (modulus & 1n) === 0n) malformed("RSA modulus not positive and odd")
  const bits = bitLength(modulus)
  if (bits < 512 || bits > 16384) unsupported(`RSA modulus of ${bits} bits`)
  if (exponent < 3n || (exponent & 1n) === 0n || exponent >= modulus) malformed("RSA exponent not odd and in 3..n-1")
  if (exponent >= MAX_RSA_EXPONENT) unsupported("RSA exponent of more than 33 bits")
  return { modulus, exponent, bits, pss }
}

/** `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` (RFC 8017 appendix A.1.1). */
const readRsaPublicKey = (reader: DerReader, pss: RsaPssRestriction | undefined): RsaPublicKeyInfo => {
  const key = reader.sequence()
  const modulus = key.integer()
  const exponent = key.integer()
  key.end()
  return { _tag: "Rsa", ...rsaKey(modulus, exponent, pss) }
}

/**
 * Decodes a SubjectPublicKeyInfo. The EC point and Ed25519 key are views into `bytes`.
 * Unknown algorithms and curves, explicit curve parameters and RSA-PSS parameters we
 * cannot honour end in `UnsupportedAlgorithm`; everything else that is wrong in
 * `MalformedKey`.
 *
 * @since 0.1.0
 */
export const parseSpki = (bytes: Uint8Array): Either.Either<PublicKeyInfo, MalformedKey | UnsupportedAlgorithm> =>
  decodeKey("SubjectPublicKeyInfo", bytes, (reader): PublicKeyInfo => {
    const spki = reader.sequence()
    const algorithm = readKeyAlgorithm(spki)
    let key: PublicKeyInfo
    switch (algorithm._tag) {
      case "Ec":
        key = { _tag: "Ec", curve: algorithm.curve, point: checkPoint(algorithm.curve, spki.bitStringBytes()) }
        break
      case "Ed25519": {
        const bits = spki.bitStringBytes()
        key = bits.length === 32 ? { _tag: "Ed25519", key: bits } : malformed(`Ed25519 key of ${bits.length} bytes`)
        break
      }
      case "Rsa": {
        const encapsulated = spki.bitStringReader()
        key = readRsaPublicKey(encapsulated, algorithm.pss)
        encapsulated.end()
        break
      }
    }
    spki.end()
    return key
  })

/** `ECPrivateKey` (RFC 5915 section 3) inside PKCS#8; curve parameters, when present, must match. */
const readEcPrivateKey = (reader: DerReader, curve: EcCurve): EcPrivateKeyInfo => {
  const key = reader.sequence()
  if (key.smallInteger() !== 1) malformed("ECPrivateKey version other than 1")
  const size = namedCurveSize(curve)
  const d = key.octetString()
  if (d.length === 0 || d.length > size) malformed(`${curve} private key of ${d.length} bytes`)
  const scalar = new Uint8Array(size)
  scalar.set(d, size - d.length)
  if (scalar.every((byte) => byte === 0)) malformed("zero EC private key")
  const params = explicitField(key, 0, (field) => field.oid(), undefined)
  if (params !== undefined && curveFromOid(params) !== curve) malformed("ECPrivateKey curve differs from PKCS#8")
  const point = explicitField(key, 1, (field) => field.bitStringBytes(), undefined)
  key.end()
  return {
    _tag: "Ec",
    curve,
    scalar,
    publicPoint: point === undefined ? undefined : copyBytes(checkPoint(curve, point)),
  }
}

/** `RSAPrivateKey` (RFC 8017 appendix A.1.2), two-prime only. */
const readRsaPrivateKey = (
  reader: DerReader,
  pss: RsaPssRestriction | undefined,
  der: Uint8Array,
): RsaPrivateKeyInfo => {
  const key = reader.sequence()
  if (key.smallInteger() !== 0) unsupported("multi-prime RSA private key")
  const modulus = key.integer()
  const exponent = key.integer()
  // privateExponent, prime1, prime2, exponent1, exponent2, coefficient
  for (let i = 0; i < 6; i++) key.integerBytes()
  key.end()
  return { _tag: "Rsa", ...rsaKey(modulus, exponent, pss), der: copyBytes(der) }
}

/**
 * Decodes a PKCS#8 private key (version 0, or 1 with an optional public key): ECDSA
 * P-256/P-384, Ed25519, RSA and RSA-PSS. Private material is copied out of `bytes`.
 * Attributes and a version 1 public key (`[1]`) are skipped.
 *
 * @since 0.1.0
 */
export const parsePkcs8 = (bytes: Uint8Array): Either.Either<PrivateKeyInfo, MalformedKey | UnsupportedAlgorithm> =>
  decodeKey("PKCS#8", bytes, (reader): PrivateKeyInfo => {
    const info = reader.sequence()
    const version = info.smallInteger(1)
    const algorithm = readKeyAlgorithm(info)
    const privateKey = info.octetStringReader()
    let key: PrivateKeyInfo
    switch (algorithm._tag) {
      case "Ec":
        key = readEcPrivateKey(privateKey, algorithm.curve)
        break
      case "Ed25519": {
        // CurvePrivateKey ::= OCTET STRING (RFC 8410 section 7)
        const seed = privateKey.octetString()
        key =
          seed.length === 32
            ? { _tag: "Ed25519", seed: copyBytes(seed) }
            : malformed(`Ed25519 seed of ${seed.length} bytes`)
        break
      }
      case "Rsa":
        key = readRsaPrivateKey(privateKey, algorithm.pss, bytes)
        break
    }
    privateKey.end()
    info.optional(contextTag(0, true), (attributes) => attributes.element())
    if (version === 1) info.optional(contextTag(1, false), (publicKey) => publicKey.element())
    info.end()
    return key
  })

/**
 * The DER SubjectPublicKeyInfo of an ECDSA or Ed25519 public key (named curve for EC,
 * absent parameters for Ed25519).
 *
 * @since 0.1.0
 */
export const encodeSpki = (info: EcPublicKeyInfo | Ed25519PublicKeyInfo): Uint8Array =>
  info._tag === "Ec"
    ? derSequence(derSequence(derOid(Oid.ecPublicKey), derOid(Oid[info.curve])), derBitString(info.point))
    : derSequence(derSequence(derOid(Oid.ed25519)), derBitString(info.key))

/** One of r and s: a positive INTEGER of at most `size` bytes, written right-aligned into `out`. */
const readSignatureScalar = (reader: DerReader, out: Uint8Array, offset: number, size: number): void => {
  const bytes = reader.integerBytes()
  if (bytes[0]! >= 0x80) throw new DerError({ detail: "negative ECDSA scalar" })
  const magnitude = bytes[0] === 0 ? bytes.subarray(1) : bytes
  if (magnitude.length === 0) throw new DerError({ detail: "zero ECDSA scalar" })
  if (magnitude.length > size) throw new DerError({ detail: `ECDSA scalar of ${magnitude.length} bytes` })
  out.set(magnitude, offset + size - magnitude.length)
}

/**
 * Decodes a strict DER `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` into
 * fixed-width r||s for `curve`. r and s must be positive and fit the curve size; their
 * range against the group order is left to the verifiers.
 *
 * @since 0.1.0
 */
export const parseEcdsaSignature = (der: Uint8Array, curve: EcCurve): Either.Either<Uint8Array, BadSignature> => {
  const size = namedCurveSize(curve)
  return Either.mapLeft(
    decodeDer(der, (reader) => {
      const signature = reader.sequence()
      const rs = new Uint8Array(2 * size)
      readSignatureScalar(signature, rs, 0, size)
      readSignatureScalar(signature, rs, size, size)
      signature.end()
      return rs
    }),
    (error) => new BadSignature({ detail: `ECDSA signature: ${error.detail}` }),
  )
}

/**
 * The DER `Ecdsa-Sig-Value` of a fixed-width r||s (two halves of equal length).
 *
 * @since 0.1.0
 */
export const ecdsaSignatureToDer = (rs: Uint8Array): Uint8Array => {
  const half = rs.length >> 1
  return derSequence(derInteger(bytesToBigInt(rs.subarray(0, half))), derInteger(bytesToBigInt(rs.subarray(half))))
}
