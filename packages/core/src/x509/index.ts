/**
 * X.509 certificate verification for TLS clients: PEM and DER decoding, the certificate
 * model, path building to trust anchors with the RFC 5280 and CA/Browser Forum checks,
 * and server identity matching.
 *
 * @since 0.1.0
 */
export type { CertificateSignatureAlgorithm } from "./algorithm.js"
export { type Certificate, CertificateParseError, isSelfIssued, parseCertificate } from "./certificate.js"
export type {
  AccessDescription,
  AuthorityKeyIdentifier,
  BasicConstraints,
  CertificateExtensions,
  Extension,
  KeyUsageName,
  NameConstraints,
  Present,
} from "./extensions.js"
export type { GeneralName } from "./generalName.js"
export {
  dnsNameMatches,
  matchesServerIdentity,
  type ServerIdentity,
  serverIdentityFromString,
} from "./hostname.js"
export { formatIpAddress, parseIpAddress } from "./ip.js"
export { commonNames, type DistinguishedName, type NameAttribute } from "./name.js"
export type { TrustAnchor } from "./path.js"
export { decodePem, type PemBlock, PemError } from "./pem.js"
export { defaultVerificationPolicy, type VerificationPolicy } from "./policy.js"
export type { CertificateProblem } from "./problem.js"
export {
  trustAnchorFromCertificate,
  type VerifiedChain,
  type VerifyServerChainOptions,
  verifyServerChain,
} from "./verify.js"
