/**
 * IP address text: parsing IPv4 dotted-decimal and IPv6 literals to their 4 or 16 bytes,
 * and the canonical text of an address (RFC 3986 section 3.2.2 for IPv4, RFC 5952
 * section 4 for IPv6).
 *
 * @since 0.1.0
 */

const ipv4Syntax = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/
const hexGroup = /^[0-9a-fA-F]{1,4}$/

const parseIpv4 = (text: string): Uint8Array | undefined =>
  ipv4Syntax.test(text) ? Uint8Array.from(text.split("."), Number) : undefined

const parseGroups = (text: string): Array<number> | undefined => {
  if (text === "") return []
  const groups: Array<number> = []
  for (const part of text.split(":")) {
    if (!hexGroup.test(part)) return undefined
    groups.push(Number.parseInt(part, 16))
  }
  return groups
}

const parseIpv6 = (text: string): Uint8Array | undefined => {
  let body = text
  let tail: Array<number> = []
  // An IPv4 address may end the literal (RFC 4291 section 2.2, form 3).
  const lastColon = body.lastIndexOf(":")
  if (body.includes(".")) {
    const v4 = parseIpv4(body.slice(lastColon + 1))
    if (v4 === undefined) return undefined
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!]
    body = body.slice(0, lastColon + 1)
    if (body.endsWith(":") && !body.endsWith("::")) body = body.slice(0, -1)
  }
  const halves = body.split("::")
  if (halves.length > 2) return undefined
  const head = parseGroups(halves[0]!)
  const rest = halves.length === 2 ? parseGroups(halves[1]!) : []
  if (head === undefined || rest === undefined) return undefined
  const explicit = head.length + rest.length + tail.length
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return undefined
  const groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...rest, ...tail]
  const bytes = new Uint8Array(16)
  groups.forEach((group, i) => {
    bytes[2 * i] = group >> 8
    bytes[2 * i + 1] = group & 0xff
  })
  return bytes
}

/**
 * The 4 or 16 bytes of an IPv4 (strict dotted decimal, no leading zeros) or IPv6 literal
 * (without brackets or zone), or `undefined` when `text` is neither.
 *
 * @since 0.1.0
 */
export const parseIpAddress = (text: string): Uint8Array | undefined =>
  text.includes(":") ? parseIpv6(text) : parseIpv4(text)

/**
 * The canonical text of a 4- or 16-byte address: dotted decimal, or RFC 5952 (lowercase,
 * no leading zeros, the first longest run of two or more zero groups as "::").
 *
 * @since 0.1.0
 */
export const formatIpAddress = (bytes: Uint8Array): string => {
  if (bytes.length === 4) return Array.from(bytes).join(".")
  const groups: Array<number> = []
  for (let i = 0; i + 1 < bytes.length; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!)
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < groups.length && groups[j] === 0) j++
    if (j - i > bestLength) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((group) => group.toString(16))
      .join(":")
  return bestStart < 0 ? hex(0, groups.length) : `${hex(0, bestStart)}::${hex(bestStart + bestLength, groups.length)}`
}
