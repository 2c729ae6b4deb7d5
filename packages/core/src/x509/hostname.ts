/**
 * Server identity checks (RFC 6125 section 6, RFC 9525 section 6.3): a DNS name is matched
 * against the subjectAltName dNSName entries only, case-insensitively, with a wildcard
 * allowed only as the whole left-most label and matching exactly one label; an IP address
 * is matched against the iPAddress entries, byte for byte. The common name is never used.
 *
 * @since 0.1.0
 */
import type { Certificate } from "./certificate.js"
import { isDnsName, isPresentedDnsName } from "./dnsName.js"
import { equalBytes } from "./hex.js"
import { parseIpAddress } from "./ip.js"

/** The identity the client expects the server to prove. @since 0.1.0 */
export type ServerIdentity =
  /** A DNS name in ASCII (A-labels for internationalised names); a trailing dot is ignored. */
  | { readonly _tag: "Dns"; readonly name: string }
  /** An IPv4 (4 bytes) or IPv6 (16 bytes) address. */
  | { readonly _tag: "Ip"; readonly bytes: Uint8Array }

/**
 * The identity named by `text`: an IP address when it is an IPv4 or IPv6 literal (IPv6 may
 * be in brackets), otherwise a DNS name.
 *
 * @since 0.1.0
 */
export const serverIdentityFromString = (text: string): ServerIdentity => {
  const literal = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text
  const bytes = parseIpAddress(literal)
  return bytes === undefined ? { _tag: "Dns", name: text } : { _tag: "Ip", bytes }
}

/**
 * The reference name in lowercase without a trailing dot, or `undefined` when it is not
 * a valid host name.
 *
 * @since 0.1.0
 */
export const normalizeReferenceName = (name: string): string | undefined => {
  const trimmed = name.endsWith(".") ? name.slice(0, -1) : name
  const lower = trimmed.toLowerCase()
  return isDnsName(lower) ? lower : undefined
}

/**
 * True when the presented dNSName `presented` matches the normalised reference name
 * `reference`. Invalid presented names match nothing.
 *
 * @since 0.1.0
 */
export const dnsNameMatches = (presented: string, reference: string): boolean => {
  const name = presented.toLowerCase()
  if (!isPresentedDnsName(name)) return false
  if (!name.startsWith("*.")) return name === reference
  const dot = reference.indexOf(".")
  return dot > 0 && reference.slice(dot + 1) === name.slice(2)
}

/**
 * True when the certificate's subjectAltName proves `identity`.
 *
 * @since 0.1.0
 */
export const matchesServerIdentity = (certificate: Certificate, identity: ServerIdentity): boolean => {
  const names = certificate.extensions.subjectAltName?.value ?? []
  if (identity._tag === "Ip") return names.some((name) => name._tag === "Ip" && equalBytes(name.bytes, identity.bytes))
  const reference = normalizeReferenceName(identity.name)
  return reference !== undefined && names.some((name) => name._tag === "Dns" && dnsNameMatches(name.name, reference))
}
