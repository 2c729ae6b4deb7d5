/**
 * Certificate extensions (RFC 5280 section 4.2): every extension as encoded, and typed
 * values of the ones verification uses: basicConstraints, keyUsage, extKeyUsage,
 * subjectAltName, nameConstraints, authority/subject key identifiers and
 * authorityInfoAccess (certificatePolicies is recognised, not interpreted). A critical
 * extension of any other type is listed in `unknownCritical`; malformed contents of a
 * known extension, or two extensions of one type, throw `DerError`.
 *
 * @since 0.1.0
 */
import { contextTag, DerError, DerReader, DerTag } from "@effect-tls/crypto/der"
import { isDnsConstraint } from "./dnsName.js"
import { type GeneralName, readGeneralName, readGeneralNames } from "./generalName.js"
import { ExtensionOid } from "./oids.js"

/** One extension as encoded. @since 0.1.0 */
export interface Extension {
  readonly oid: string
  readonly critical: boolean
  /** The contents of `extnValue` (the DER of the extension's own value). */
  readonly value: Uint8Array
  /** The whole `Extension` SEQUENCE as encoded. */
  readonly der: Uint8Array
}

/** A known extension that is present: its criticality and decoded value. @since 0.1.0 */
export interface Present<A> {
  readonly critical: boolean
  readonly value: A
}

/** basicConstraints (RFC 5280 section 4.2.1.9). @since 0.1.0 */
export interface BasicConstraints {
  readonly ca: boolean
  readonly pathLength: number | undefined
}

/** The named bits of keyUsage, in bit order (RFC 5280 section 4.2.1.3). @since 0.1.0 */
export const keyUsageBits = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
] as const

/** One keyUsage bit. @since 0.1.0 */
export type KeyUsageName = (typeof keyUsageBits)[number]

/** nameConstraints (RFC 5280 section 4.2.1.10): the base names of the permitted and excluded subtrees. @since 0.1.0 */
export interface NameConstraints {
  readonly permitted: ReadonlyArray<GeneralName>
  readonly excluded: ReadonlyArray<GeneralName>
}

/** authorityKeyIdentifier (RFC 5280 section 4.2.1.1). @since 0.1.0 */
export interface AuthorityKeyIdentifier {
  readonly keyIdentifier: Uint8Array | undefined
  readonly authorityCertIssuer: ReadonlyArray<GeneralName> | undefined
  /** The INTEGER contents of authorityCertSerialNumber. */
  readonly authorityCertSerialNumber: Uint8Array | undefined
}

/** One AccessDescription of authorityInfoAccess (RFC 5280 section 4.2.2.1). @since 0.1.0 */
export interface AccessDescription {
  readonly method: string
  readonly location: GeneralName
}

/** A certificate's extensions. @since 0.1.0 */
export interface CertificateExtensions {
  /** Every extension, in encoded order. */
  readonly all: ReadonlyArray<Extension>
  readonly basicConstraints: Present<BasicConstraints> | undefined
  readonly keyUsage: Present<ReadonlyArray<KeyUsageName>> | undefined
  /** The key purpose OIDs. */
  readonly extendedKeyUsage: Present<ReadonlyArray<string>> | undefined
  readonly subjectAltName: Present<ReadonlyArray<GeneralName>> | undefined
  readonly nameConstraints: Present<NameConstraints> | undefined
  readonly authorityKeyIdentifier: Present<AuthorityKeyIdentifier> | undefined
  readonly subjectKeyIdentifier: Present<Uint8Array> | undefined
  readonly authorityInfoAccess: Present<ReadonlyArray<AccessDescription>> | undefined
  /** The OIDs of critical extensions this code does not process. */
  readonly unknownCritical: ReadonlyArray<string>
}

const fail = (detail: string): never => {
  throw new DerError({ detail })
}

/** Reads `SEQUENCE SIZE (1..MAX) OF item` from a reader over the sequence's contents. */
const nonEmpty = <A>(reader: DerReader, what: string, read: (reader: DerReader) => A): Array<A> => {
  if (reader.atEnd()) fail(`empty ${what}`)
  const items: Array<A> = []
  while (!reader.atEnd()) items.push(read(reader))
  return items
}

const readBasicConstraints = (reader: DerReader): BasicConstraints => {
  const sequence = reader.sequence()
  // cA DEFAULT FALSE: an explicitly encoded FALSE is accepted, as by most verifiers.
  const ca = sequence.peekTag() === DerTag.Boolean ? sequence.boolean() : false
  const pathLength = sequence.peekTag() === DerTag.Integer ? sequence.smallInteger() : undefined
  sequence.end()
  return { ca, pathLength }
}

const readKeyUsage = (reader: DerReader): ReadonlyArray<KeyUsageName> => {
  const { bytes, unusedBits } = reader.bitString()
  const bitCount = bytes.length * 8 - unusedBits
  const names = keyUsageBits.filter((_, bit) => bit < bitCount && (bytes[bit >> 3]! & (0x80 >> (bit & 7))) !== 0)
  if (names.length === 0) fail("keyUsage with no bit set")
  return names
}

const readSubtrees = (reader: DerReader, n: number): ReadonlyArray<GeneralName> => {
  const subtrees = reader.optional(contextTag(n, true), (outer) => outer.constructed(contextTag(n, true)))
  if (subtrees === undefined) return []
  return nonEmpty(subtrees, "GeneralSubtrees", (inner) => {
    const subtree = inner.sequence()
    const base = readGeneralName(subtree)
    // minimum MUST be 0 (so, in DER, absent) and maximum absent (RFC 5280 section 4.2.1.10).
    if (!subtree.atEnd()) fail("GeneralSubtree with minimum or maximum")
    switch (base._tag) {
      case "Dns":
        if (!isDnsConstraint(base.name)) fail(`invalid dNSName constraint ${JSON.stringify(base.name)}`)
        break
      case "Ip":
        if (!isIpConstraint(base.bytes)) fail("iPAddress constraint that is not an address and a prefix mask")
        break
    }
    return base
  })
}

/** An address followed by a mask of leading one bits, 8 bytes for IPv4 or 32 for IPv6. */
const isIpConstraint = (bytes: Uint8Array): boolean => {
  if (bytes.length !== 8 && bytes.length !== 32) return false
  let zeroSeen = false
  for (let i = bytes.length / 2; i < bytes.length; i++) {
    for (let bit = 7; bit >= 0; bit--) {
      const one = (bytes[i]! >> bit) & 1
      if (one && zeroSeen) return false
      if (!one) zeroSeen = true
    }
  }
  return true
}

const readNameConstraints = (reader: DerReader): NameConstraints => {
  const sequence = reader.sequence()
  const permitted = readSubtrees(sequence, 0)
  const excluded = readSubtrees(sequence, 1)
  sequence.end()
  if (permitted.length === 0 && excluded.length === 0)
    fail("nameConstraints with neither permitted nor excluded subtrees")
  return { permitted, excluded }
}

const readAuthorityKeyIdentifier = (reader: DerReader): AuthorityKeyIdentifier => {
  const sequence = reader.sequence()
  const keyIdentifier = sequence.optional(contextTag(0, false), (r) => r.element().value)
  const authorityCertIssuer = sequence.optional(contextTag(1, true), (r) =>
    readGeneralNames(r.constructed(contextTag(1, true))),
  )
  const authorityCertSerialNumber = sequence.optional(contextTag(2, false), (r) => r.element().value)
  sequence.end()
  return { keyIdentifier, authorityCertIssuer, authorityCertSerialNumber }
}

const readSubjectAltName = (reader: DerReader): ReadonlyArray<GeneralName> =>
  nonEmpty(reader.sequence(), "subjectAltName", (inner) => {
    const name = readGeneralName(inner)
    if (name._tag === "Ip" && name.bytes.length !== 4 && name.bytes.length !== 16) {
      fail(`iPAddress of ${name.bytes.length} bytes in subjectAltName`)
    }
    return name
  })

const readAccessDescriptions = (reader: DerReader): ReadonlyArray<AccessDescription> =>
  nonEmpty(reader.sequence(), "authorityInfoAccess", (inner) => {
    const description = inner.sequence()
    const method = description.oid()
    const location = readGeneralName(description)
    description.end()
    return { method, location }
  })

/** certificatePolicies: SEQUENCE SIZE (1..MAX) OF PolicyInformation; qualifiers are skipped. */
const readPolicies = (reader: DerReader): void => {
  nonEmpty(reader.sequence(), "certificatePolicies", (inner) => {
    const policy = inner.sequence()
    policy.oid()
    if (!policy.atEnd()) policy.sequence()
    policy.end()
  })
}

/** Decodes `value` (an extnValue's contents) with `read`, requiring that it uses every byte. */
const decodeValue = <A>(value: Uint8Array, read: (reader: DerReader) => A): A => {
  const reader = new DerReader(value)
  const result = read(reader)
  reader.end()
  return result
}

/**
 * Reads `Extensions` from a reader over the contents of its SEQUENCE.
 *
 * @since 0.1.0
 */
export const readExtensions = (reader: DerReader): CertificateExtensions => {
  const all: Array<Extension> = []
  const seen = new Set<string>()
  const unknownCritical: Array<string> = []
  let basicConstraints: Present<BasicConstraints> | undefined
  let keyUsage: Present<ReadonlyArray<KeyUsageName>> | undefined
  let extendedKeyUsage: Present<ReadonlyArray<string>> | undefined
  let subjectAltName: Present<ReadonlyArray<GeneralName>> | undefined
  let nameConstraints: Present<NameConstraints> | undefined
  let authorityKeyIdentifier: Present<AuthorityKeyIdentifier> | undefined
  let subjectKeyIdentifier: Present<Uint8Array> | undefined
  let authorityInfoAccess: Present<ReadonlyArray<AccessDescription>> | undefined
  nonEmpty(reader, "extensions", (outer) => {
    const element = outer.element(DerTag.Sequence)
    const extension = new DerReader(element.value)
    const oid = extension.oid()
    // critical DEFAULT FALSE: an explicitly encoded FALSE is accepted, as by most verifiers.
    const critical = extension.peekTag() === DerTag.Boolean ? extension.boolean() : false
    const value = extension.octetString()
    extension.end()
    if (seen.has(oid)) fail(`two ${oid} extensions`)
    seen.add(oid)
    all.push({ oid, critical, value, der: element.raw })
    const present = <A>(read: (reader: DerReader) => A): Present<A> => ({ critical, value: decodeValue(value, read) })
    switch (oid) {
      case ExtensionOid.basicConstraints:
        basicConstraints = present(readBasicConstraints)
        break
      case ExtensionOid.keyUsage:
        keyUsage = present(readKeyUsage)
        break
      case ExtensionOid.extKeyUsage:
        extendedKeyUsage = present((r) => nonEmpty(r.sequence(), "extKeyUsage", (inner) => inner.oid()))
        break
      case ExtensionOid.subjectAltName:
        subjectAltName = present(readSubjectAltName)
        break
      case ExtensionOid.nameConstraints:
        nameConstraints = present(readNameConstraints)
        break
      case ExtensionOid.authorityKeyIdentifier:
        authorityKeyIdentifier = present(readAuthorityKeyIdentifier)
        break
      case ExtensionOid.subjectKeyIdentifier:
        subjectKeyIdentifier = present((r) => r.octetString())
        break
      case ExtensionOid.authorityInfoAccess:
        authorityInfoAccess = present(readAccessDescriptions)
        break
      case ExtensionOid.certificatePolicies:
        decodeValue(value, readPolicies)
        break
      default:
        if (critical) unknownCritical.push(oid)
    }
  })
  return {
    all,
    basicConstraints,
    keyUsage,
    extendedKeyUsage,
    subjectAltName,
    nameConstraints,
    authorityKeyIdentifier,
    subjectKeyIdentifier,
    authorityInfoAccess,
    unknownCritical,
  }
}

/** The extensions of a certificate that has none (v1 and v2 certificates). @since 0.1.0 */
export const noExtensions: CertificateExtensions = {
  all: [],
  basicConstraints: undefined,
  keyUsage: undefined,
  extendedKeyUsage: undefined,
  subjectAltName: undefined,
  nameConstraints: undefined,
  authorityKeyIdentifier: undefined,
  subjectKeyIdentifier: undefined,
  authorityInfoAccess: undefined,
  unknownCritical: [],
}
