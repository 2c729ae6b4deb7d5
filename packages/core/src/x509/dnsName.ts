/**
 * The syntax of DNS names in certificates (RFC 5280 section 4.2.1.6, the "preferred name
 * syntax" of RFC 1034 as relaxed by RFC 1123): ASCII letters, digits and hyphens in
 * labels of 1 to 63 characters, no hyphen at either end of a label, at most 253
 * characters. Compared case-insensitively.
 *
 * @since 0.1.0
 */

const label = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i
const digitsOnly = /^[0-9]+$/

/**
 * True when `name` is a valid host name: LDH labels, and a last label that is not all
 * digits (so an IPv4 literal is never taken for a DNS name).
 *
 * @since 0.1.0
 */
export const isDnsName = (name: string): boolean => {
  if (name.length === 0 || name.length > 253) return false
  const labels = name.split(".")
  return labels.every((part) => label.test(part)) && !digitsOnly.test(labels[labels.length - 1]!)
}

/**
 * True when `name` is a valid presented identifier: a host name, or `*.` followed by a
 * host name of at least two labels (the wildcard is a whole left-most label, and never
 * covers a top-level domain alone).
 *
 * @since 0.1.0
 */
export const isPresentedDnsName = (name: string): boolean =>
  name.startsWith("*.") ? isDnsName(name.slice(2)) && name.slice(2).includes(".") : isDnsName(name)

/**
 * True when `name` is a valid dNSName name constraint: empty (every name) or a host name
 * (no wildcard, no leading period).
 *
 * @since 0.1.0
 */
export const isDnsConstraint = (name: string): boolean => name === "" || isDnsName(name)
