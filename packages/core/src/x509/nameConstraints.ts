/**
 * Name constraints along a certification path (RFC 5280 sections 4.2.1.10 and 6.1.3):
 * every nameConstraints extension, the trust anchor's included, applies to the subject
 * and subjectAltName of each certificate below it, except self-issued intermediates.
 * DNS names, IP addresses and directory names are processed; a constraint on any other
 * form rejects a certificate that carries a name of that form. A wildcard dNSName is
 * treated as every name it can match. The work is bounded.
 *
 * @since 0.1.0
 */
import { type Certificate, isSelfIssued } from "./certificate.js"
import { isPresentedDnsName } from "./dnsName.js"
import { type GeneralName, generalNameForm } from "./generalName.js"
import { equalBytes } from "./hex.js"
import type { DistinguishedName } from "./name.js"
import { type CertificateProblem, problem } from "./problem.js"

/** Most name-to-subtree comparisons for one path (like Go's limit, against quadratic blow-up). @since 0.1.0 */
export const MAX_NAME_CONSTRAINT_CHECKS = 65536

const emailAddressOid = "1.2.840.113549.1.9.1"

/** `name` is `constraint` or a subdomain of it (RFC 5280: labels added on the left). */
const within = (name: string, constraint: string): boolean =>
  constraint === "" || name === constraint || name.endsWith(`.${constraint}`)

/** `constraint` is exactly one label added on the left of `base`, e.g. "bar.example.com" for "example.com". */
const oneLabelBelow = (constraint: string, base: string): boolean => {
  if (!constraint.endsWith(`.${base}`)) return false
  const label = constraint.slice(0, constraint.length - base.length - 1)
  return label.length > 0 && !label.includes(".")
}

/**
 * Whether a lowercase dNSName (possibly a wildcard) falls in the subtree of a lowercase
 * DNS constraint. For a `"permitted"` subtree every name a wildcard can stand for must be
 * inside; for an `"excluded"` one, any of them being inside is enough (CVE-2025-61727).
 *
 * @since 0.1.0
 */
export const dnsConstraintMatches = (name: string, constraint: string, kind: "permitted" | "excluded"): boolean => {
  if (!name.startsWith("*.")) return within(name, constraint)
  const base = name.slice(2)
  return within(base, constraint) || (kind === "excluded" && oneLabelBelow(constraint, base))
}

const ipMatches = (address: Uint8Array, subtree: Uint8Array): boolean => {
  if (subtree.length !== 2 * address.length) return false
  for (let i = 0; i < address.length; i++) {
    const mask = subtree[address.length + i]!
    if ((address[i]! & mask) !== (subtree[i]! & mask)) return false
  }
  return true
}

/** The subtree's RDNs begin the name's RDNs (an empty subtree contains every name). */
const directoryWithin = (name: DistinguishedName, subtree: DistinguishedName): boolean =>
  subtree.rdnDer.length <= name.rdnDer.length && subtree.rdnDer.every((rdn, i) => equalBytes(rdn, name.rdnDer[i]!))

type Verdict = "match" | "no-match" | "unsupported"

const compare = (name: GeneralName, subtree: GeneralName, excluded: boolean): Verdict => {
  switch (name._tag) {
    case "Dns": {
      if (subtree._tag !== "Dns") return "no-match"
      const lower = name.name.toLowerCase()
      const constraint = subtree.name.toLowerCase()
      return dnsConstraintMatches(lower, constraint, excluded ? "excluded" : "permitted") ? "match" : "no-match"
    }
    case "Ip":
      return subtree._tag === "Ip" && ipMatches(name.bytes, subtree.bytes) ? "match" : "no-match"
    case "DirectoryName":
      return subtree._tag === "DirectoryName" && directoryWithin(name.name, subtree.name) ? "match" : "no-match"
    default:
      return "unsupported"
  }
}

/** The names of `certificate` that constraints apply to: a non-empty subject, its email attributes, the subjectAltName. */
const constrainedNames = (certificate: Certificate): ReadonlyArray<GeneralName> => {
  const names: Array<GeneralName> = []
  if (certificate.subject.rdns.length > 0) names.push({ _tag: "DirectoryName", name: certificate.subject })
  for (const rdn of certificate.subject.rdns) {
    for (const attribute of rdn) {
      if (attribute.type === emailAddressOid) names.push({ _tag: "Email", address: attribute.text ?? "" })
    }
  }
  return [...names, ...(certificate.extensions.subjectAltName?.value ?? [])]
}

const describe = (name: GeneralName): string => {
  switch (name._tag) {
    case "Dns":
      return `dNSName ${JSON.stringify(name.name)}`
    case "DirectoryName":
      return `directoryName ${JSON.stringify(name.name.text)}`
    default:
      return `${name._tag} name`
  }
}

/** The subtrees of one nameConstraints extension, by name form. */
interface Subtrees {
  readonly permitted: ReadonlyMap<number, ReadonlyArray<GeneralName>>
  readonly excluded: ReadonlyMap<number, ReadonlyArray<GeneralName>>
}

const byForm = (names: ReadonlyArray<GeneralName>): Map<number, Array<GeneralName>> => {
  const groups = new Map<number, Array<GeneralName>>()
  for (const name of names) {
    const form = generalNameForm(name)
    const group = groups.get(form)
    if (group === undefined) groups.set(form, [name])
    else group.push(name)
  }
  return groups
}

/** Checks one certificate against one extension's subtrees; `budget.left` counts comparisons down. */
const checkCertificate = (
  subtrees: Subtrees,
  certificate: Certificate,
  budget: { left: number },
): string | undefined => {
  for (const name of constrainedNames(certificate)) {
    const form = generalNameForm(name)
    const permitted = subtrees.permitted.get(form) ?? []
    const excluded = subtrees.excluded.get(form) ?? []
    if (permitted.length === 0 && excluded.length === 0) continue
    budget.left -= permitted.length + excluded.length
    if (budget.left < 0) return "too many names and name constraints to check"
    if (name._tag === "Dns" && !isPresentedDnsName(name.name.toLowerCase())) {
      return `${describe(name)} is not a valid DNS name`
    }
    for (const subtree of excluded) {
      const verdict = compare(name, subtree, true)
      if (verdict === "unsupported") return `constraints on ${name._tag} names are not supported`
      if (verdict === "match") return `${describe(name)} is in an excluded subtree`
    }
    if (permitted.length > 0) {
      let inside = false
      for (const subtree of permitted) {
        const verdict = compare(name, subtree, false)
        if (verdict === "unsupported") return `constraints on ${name._tag} names are not supported`
        if (verdict === "match") inside = true
      }
      if (!inside) return `${describe(name)} is outside the permitted subtrees`
    }
  }
  return undefined
}

/**
 * Checks the name constraints of a path given leaf first, trust anchor last; the first
 * violation found, or `undefined`.
 *
 * @since 0.1.0
 */
export const checkNameConstraints = (path: ReadonlyArray<Certificate>): CertificateProblem | undefined => {
  const budget = { left: MAX_NAME_CONSTRAINT_CHECKS }
  for (let i = path.length - 1; i >= 1; i--) {
    const constraints = path[i]!.extensions.nameConstraints?.value
    if (constraints === undefined) continue
    const subtrees = { permitted: byForm(constraints.permitted), excluded: byForm(constraints.excluded) }
    for (let j = i - 1; j >= 0; j--) {
      const certificate = path[j]!
      if (j > 0 && isSelfIssued(certificate)) continue
      const violation = checkCertificate(subtrees, certificate, budget)
      if (violation !== undefined) return problem("NameConstraintViolation", certificate, violation)
    }
  }
  return undefined
}
