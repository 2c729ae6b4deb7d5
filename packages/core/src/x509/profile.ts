/**
 * The checks on one certificate in one role of a path (leaf, intermediate or trust
 * anchor): RFC 5280 section 4 and the CA/Browser Forum profile for serverAuth (key types
 * and sizes, validity at `now`, basicConstraints, keyUsage, extendedKeyUsage, key
 * identifiers, criticality, names). Path-wide checks (signatures, path lengths, name
 * constraints) are elsewhere.
 *
 * @since 0.1.0
 */
import type { SignatureAlgorithm } from "@effect-tls/crypto"
import { parseSpki } from "@effect-tls/crypto/keys"
import { Either } from "effect"
import { type Certificate, isSelfIssued } from "./certificate.js"
import { equalBytes } from "./hex.js"
import { formatIpAddress } from "./ip.js"
import { commonNames } from "./name.js"
import { KeyPurposeOid } from "./oids.js"
import type { VerificationPolicy } from "./policy.js"
import { type CertificateProblem, problem } from "./problem.js"

/** The position of a certificate in a path. @since 0.1.0 */
export type Role = "leaf" | "intermediate" | "anchor"

/** Extensions RFC 5280 requires to be critical; we do not process them, so critical ones are unknown to us. */
const mustBeCritical: Readonly<Record<string, string>> = {
  "2.5.29.33": "policyMappings",
  "2.5.29.36": "policyConstraints",
  "2.5.29.54": "inhibitAnyPolicy",
}

const checkKey = (certificate: Certificate, policy: VerificationPolicy): CertificateProblem | undefined => {
  const key = parseSpki(certificate.spki)
  if (Either.isLeft(key)) {
    const error = key.left
    return problem(error._tag === "MalformedKey" ? "Malformed" : "UnsupportedAlgorithm", certificate, error.message)
  }
  const info = key.right
  if (info._tag === "Rsa" && (info.bits < policy.minRsaBits || info.bits % 8 !== 0)) {
    return problem(
      "WeakKey",
      certificate,
      `RSA key of ${info.bits} bits (at least ${policy.minRsaBits}, a multiple of 8)`,
    )
  }
  return undefined
}

/** Validity is checked at whole seconds: `now` is rounded down (RFC 5280 times have no fractions). */
const checkValidity = (certificate: Certificate, now: number): CertificateProblem | undefined => {
  const seconds = Math.floor(now / 1000) * 1000
  if (seconds < certificate.notBefore.getTime()) {
    return problem("NotYetValid", certificate, `not valid before ${certificate.notBefore.toISOString()}`)
  }
  if (seconds > certificate.notAfter.getTime()) {
    return problem("Expired", certificate, `expired at ${certificate.notAfter.toISOString()}`)
  }
  return undefined
}

const checkExtensionCriticality = (certificate: Certificate): CertificateProblem | undefined => {
  const extensions = certificate.extensions
  if (extensions.unknownCritical.length > 0) {
    return problem(
      "UnknownCriticalExtension",
      certificate,
      `unknown critical extension ${extensions.unknownCritical.join(", ")}`,
    )
  }
  for (const extension of extensions.all) {
    const name = mustBeCritical[extension.oid]
    if (name !== undefined && !extension.critical) return problem("Malformed", certificate, `non-critical ${name}`)
  }
  const nonCritical = [
    ["authorityKeyIdentifier", extensions.authorityKeyIdentifier],
    ["subjectKeyIdentifier", extensions.subjectKeyIdentifier],
    ["authorityInfoAccess", extensions.authorityInfoAccess],
  ] as const
  for (const [name, extension] of nonCritical) {
    if (extension?.critical) return problem("Malformed", certificate, `critical ${name}`)
  }
  return undefined
}

const checkNames = (certificate: Certificate, role: Role): CertificateProblem | undefined => {
  const san = certificate.extensions.subjectAltName
  if (certificate.issuer.rdns.length === 0) return problem("Malformed", certificate, "empty issuer name")
  if (certificate.subject.rdns.length === 0) {
    if (role !== "leaf") return problem("Malformed", certificate, "CA certificate with an empty subject")
    if (san === undefined || !san.critical) {
      return problem("Malformed", certificate, "empty subject without a critical subjectAltName")
    }
  } else if (role === "leaf" && san?.critical) {
    return problem("Malformed", certificate, "critical subjectAltName with a non-empty subject")
  }
  return undefined
}

const checkKeyIdentifiers = (certificate: Certificate, role: Role): CertificateProblem | undefined => {
  const { authorityKeyIdentifier, subjectKeyIdentifier } = certificate.extensions
  const aki = authorityKeyIdentifier?.value
  if (aki === undefined) {
    // Trust anchors are exempt: a cross-signed root may be trusted as it is (x509-limbo cve-2024-0567).
    return role === "anchor" || isSelfIssued(certificate)
      ? undefined
      : problem("Malformed", certificate, "no authorityKeyIdentifier on a certificate that is not self-issued")
  }
  if (aki.keyIdentifier === undefined) {
    return problem("Malformed", certificate, "authorityKeyIdentifier without keyIdentifier")
  }
  if (role === "anchor" && isSelfIssued(certificate)) {
    if (aki.authorityCertIssuer !== undefined || aki.authorityCertSerialNumber !== undefined) {
      return problem("Malformed", certificate, "root authorityKeyIdentifier with authorityCertIssuer or serial number")
    }
    const ski = subjectKeyIdentifier?.value
    if (ski !== undefined && !equalBytes(ski, aki.keyIdentifier)) {
      return problem("Malformed", certificate, "root authorityKeyIdentifier differs from its subjectKeyIdentifier")
    }
  }
  return undefined
}

/** RFC 5280 section 4.1.2.2: a positive serial of at most 20 octets. */
const checkSerial = (certificate: Certificate): CertificateProblem | undefined => {
  const serial = certificate.serial
  const value = serial[0] === 0 ? serial.subarray(1) : serial
  if (serial[0]! >= 0x80) return problem("Malformed", certificate, "negative serial number")
  if (value.length === 0) return problem("Malformed", certificate, "zero serial number")
  if (value.length > 20) return problem("Malformed", certificate, `serial number of ${value.length} octets`)
  return undefined
}

const checkCa = (certificate: Certificate, role: Role): CertificateProblem | undefined => {
  const { basicConstraints, keyUsage, extendedKeyUsage, subjectKeyIdentifier } = certificate.extensions
  if (basicConstraints === undefined || !basicConstraints.value.ca) {
    return problem("NotCa", certificate, "issuer certificate without basicConstraints cA")
  }
  if (!basicConstraints.critical)
    return problem("NotCa", certificate, "CA certificate with non-critical basicConstraints")
  if (keyUsage !== undefined && !keyUsage.value.includes("keyCertSign")) {
    return problem("BadKeyUsage", certificate, "CA certificate whose keyUsage lacks keyCertSign")
  }
  if (subjectKeyIdentifier === undefined)
    return problem("Malformed", certificate, "CA certificate without subjectKeyIdentifier")
  if (extendedKeyUsage !== undefined) {
    if (role === "anchor") return problem("BadExtendedKeyUsage", certificate, "root certificate with extKeyUsage")
    const purposes = extendedKeyUsage.value
    if (!purposes.includes(KeyPurposeOid.serverAuth) && !purposes.includes(KeyPurposeOid.anyExtendedKeyUsage)) {
      return problem("BadExtendedKeyUsage", certificate, "intermediate whose extKeyUsage excludes serverAuth")
    }
  }
  return undefined
}

/** CA/Browser Forum 7.1.4.3: a common name that could name a host must copy a subjectAltName entry exactly. */
const checkCommonName = (certificate: Certificate): CertificateProblem | undefined => {
  const names = commonNames(certificate.subject)
  if (names.length > 1) return problem("HostnameMismatch", certificate, "more than one common name")
  const commonName = names[0]
  if (commonName === undefined || /\s/.test(commonName)) return undefined
  const sans = certificate.extensions.subjectAltName?.value ?? []
  const listed = sans.some(
    (name) =>
      (name._tag === "Dns" && name.name === commonName) ||
      (name._tag === "Ip" && formatIpAddress(name.bytes) === commonName),
  )
  return listed
    ? undefined
    : problem(
        "HostnameMismatch",
        certificate,
        `common name ${JSON.stringify(commonName)} is not a subjectAltName entry`,
      )
}

const checkLeaf = (certificate: Certificate): CertificateProblem | undefined => {
  const { basicConstraints, keyUsage, extendedKeyUsage, nameConstraints } = certificate.extensions
  if (basicConstraints?.value.ca) {
    return problem(
      "BadKeyUsage",
      certificate,
      "a CA certificate (basicConstraints cA) cannot be the server's certificate",
    )
  }
  if (basicConstraints?.value.pathLength !== undefined) {
    return problem("Malformed", certificate, "pathLenConstraint without cA")
  }
  if (nameConstraints !== undefined)
    return problem("Malformed", certificate, "nameConstraints on an end-entity certificate")
  if (keyUsage !== undefined) {
    if (keyUsage.value.includes("keyCertSign")) return problem("BadKeyUsage", certificate, "keyCertSign without cA")
    if (!keyUsage.value.includes("digitalSignature")) {
      return problem("BadKeyUsage", certificate, "keyUsage lacks digitalSignature")
    }
  }
  if (extendedKeyUsage !== undefined) {
    if (extendedKeyUsage.critical) return problem("BadExtendedKeyUsage", certificate, "critical extKeyUsage")
    if (!extendedKeyUsage.value.includes(KeyPurposeOid.serverAuth)) {
      return problem("BadExtendedKeyUsage", certificate, "extKeyUsage lacks serverAuth")
    }
    if (extendedKeyUsage.value.includes(KeyPurposeOid.anyExtendedKeyUsage)) {
      return problem("BadExtendedKeyUsage", certificate, "anyExtendedKeyUsage on a server certificate")
    }
  }
  return checkCommonName(certificate)
}

/**
 * The first reason `certificate` cannot serve as `role` at time `now` (milliseconds since
 * the epoch), or `undefined`.
 *
 * @since 0.1.0
 */
export const checkCertificate = (
  certificate: Certificate,
  role: Role,
  now: number,
  policy: VerificationPolicy,
): CertificateProblem | undefined => {
  if (certificate.version !== 3) {
    return problem("Malformed", certificate, `X.509 v${certificate.version} certificate (v3 required)`)
  }
  return (
    checkExtensionCriticality(certificate) ??
    checkNames(certificate, role) ??
    checkKey(certificate, policy) ??
    checkValidity(certificate, now) ??
    checkKeyIdentifiers(certificate, role) ??
    (role === "anchor" ? undefined : checkSerial(certificate)) ??
    (role === "leaf" ? checkLeaf(certificate) : checkCa(certificate, role))
  )
}

/**
 * The algorithm that verifies `certificate`'s signature, or why it is refused (an
 * unsupported algorithm, or SHA-1 unless the policy allows it).
 *
 * @since 0.1.0
 */
export const signatureAlgorithmOf = (
  certificate: Certificate,
  policy: VerificationPolicy,
): SignatureAlgorithm | CertificateProblem => {
  const { algorithm, oid } = certificate.signatureAlgorithm
  if (algorithm === "UnsupportedAlgorithm") {
    return problem("UnsupportedAlgorithm", certificate, `signature algorithm ${oid}`)
  }
  if (algorithm._tag !== "Ed25519" && algorithm.hash === "SHA-1" && !policy.allowSha1) {
    return problem("WeakKey", certificate, "SHA-1 signature")
  }
  return algorithm
}
