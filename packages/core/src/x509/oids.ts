/**
 * The object identifiers X.509 verification recognises, in dotted form: certificate
 * extensions (RFC 5280 section 4.2), extended key usages, name attribute types
 * (RFC 4519) and signature algorithms (RFC 4055, 5758, 8410).
 *
 * @since 0.1.0
 */

/** Certificate extensions. @since 0.1.0 */
export const ExtensionOid = {
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  nameConstraints: "2.5.29.30",
  certificatePolicies: "2.5.29.32",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
} as const

/** Extended key usage purposes (RFC 5280 section 4.2.1.12). @since 0.1.0 */
export const KeyPurposeOid = {
  anyExtendedKeyUsage: "2.5.29.37.0",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
} as const

/** The attribute type of a name's common name (RFC 4519 section 2.3). @since 0.1.0 */
export const commonNameOid = "2.5.4.3"

/** The short names RFC 4514 section 3 defines for attribute types. @since 0.1.0 */
export const attributeShortNames: Readonly<Record<string, string>> = {
  "2.5.4.3": "CN",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.6": "C",
  "2.5.4.9": "STREET",
  "0.9.2342.19200300.100.1.25": "DC",
  "0.9.2342.19200300.100.1.1": "UID",
}

/** Signature algorithm identifiers. @since 0.1.0 */
export const SignatureOid = {
  sha1WithRsa: "1.2.840.113549.1.1.5",
  sha256WithRsa: "1.2.840.113549.1.1.11",
  sha384WithRsa: "1.2.840.113549.1.1.12",
  sha512WithRsa: "1.2.840.113549.1.1.13",
  rsassaPss: "1.2.840.113549.1.1.10",
  ecdsaWithSha1: "1.2.840.10045.4.1",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  ecdsaWithSha384: "1.2.840.10045.4.3.3",
  ecdsaWithSha512: "1.2.840.10045.4.3.4",
  ed25519: "1.3.101.112",
} as const

/** Hash algorithm identifiers (RFC 3279, RFC 5754) and MGF1 (RFC 8017). @since 0.1.0 */
export const HashOid = {
  sha1: "1.3.14.3.2.26",
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
  mgf1: "1.2.840.113549.1.1.8",
} as const
