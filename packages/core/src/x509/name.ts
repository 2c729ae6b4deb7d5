/**
 * Distinguished names (RFC 5280 section 4.1.2.4): the raw DER for exact comparison, the
 * relative distinguished names with their attributes, and the RFC 4514 string form.
 *
 * @since 0.1.0
 */
import { DerError, DerReader, DerTag } from "@effect-tls/crypto/der"
import { toHex } from "./hex.js"
import { attributeShortNames, commonNameOid } from "./oids.js"
import { decodeString, isStringTag } from "./strings.js"

/** One `AttributeTypeAndValue`: the type, the value's identifier and contents, and its text when it is a string. @since 0.1.0 */
export interface NameAttribute {
  readonly type: string
  readonly tag: number
  readonly value: Uint8Array
  /** The value as text, or `undefined` when it is not one of the string types. */
  readonly text: string | undefined
  /** The whole encoded value (tag, length, contents). */
  readonly valueDer: Uint8Array
}

/** A decoded `Name`. @since 0.1.0 */
export interface DistinguishedName {
  /** The whole `Name` (SEQUENCE) as encoded: names are compared by these bytes. */
  readonly der: Uint8Array
  /** The relative distinguished names, in encoded order (most significant first). */
  readonly rdns: ReadonlyArray<ReadonlyArray<NameAttribute>>
  /** Each RDN's SET as encoded, for directoryName constraints. */
  readonly rdnDer: ReadonlyArray<Uint8Array>
  /** The RFC 4514 string form, e.g. `CN=example.com,O=Example`. */
  readonly text: string
}

const fail = (detail: string): never => {
  throw new DerError({ detail })
}

const escapeValue = (value: string): string => {
  let out = ""
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!
    const code = value.charCodeAt(i)
    if (code < 0x20 || code === 0x7f) out += `\\${code.toString(16).padStart(2, "0")}`
    else if ('"+,;<>\\'.includes(char)) out += `\\${char}`
    else if ((i === 0 && (char === "#" || char === " ")) || (i === value.length - 1 && char === " ")) out += `\\${char}`
    else out += char
  }
  return out
}

/** RFC 4514 section 2: RDNs last to first, joined by commas; attributes of one RDN by "+". */
const formatName = (rdns: ReadonlyArray<ReadonlyArray<NameAttribute>>): string =>
  rdns
    .map((rdn) =>
      rdn
        .map((attribute) => {
          const type = attributeShortNames[attribute.type] ?? attribute.type
          const value = attribute.text === undefined ? `#${toHex(attribute.valueDer)}` : escapeValue(attribute.text)
          return `${type}=${value}`
        })
        .join("+"),
    )
    .reverse()
    .join(",")

/**
 * Reads the next `Name`. Each RDN must hold at least one attribute, and a value of a
 * string type must be valid for that type. (Names do not nest, so readers over their
 * parts are made directly.)
 *
 * @since 0.1.0
 */
export const readName = (reader: DerReader): DistinguishedName => {
  const name = reader.element(DerTag.Sequence)
  const rdns: Array<ReadonlyArray<NameAttribute>> = []
  const rdnDer: Array<Uint8Array> = []
  const sets = new DerReader(name.value)
  while (!sets.atEnd()) {
    const set = sets.element(DerTag.Set)
    const members = new DerReader(set.value)
    const rdn: Array<NameAttribute> = []
    do {
      const attribute = members.sequence()
      const type = attribute.oid()
      const value = attribute.element()
      attribute.end()
      const text = decodeString(value.tag, value.value)
      if (text === undefined && isStringTag(value.tag)) fail(`attribute ${type} has an invalid string value`)
      rdn.push({ type, tag: value.tag, value: value.value, text, valueDer: value.raw })
    } while (!members.atEnd())
    rdns.push(rdn)
    rdnDer.push(set.raw)
  }
  return { der: name.raw, rdns, rdnDer, text: formatName(rdns) }
}

/** The texts of a name's common name attributes (`undefined` for one that is not a string). @since 0.1.0 */
export const commonNames = (name: DistinguishedName): ReadonlyArray<string | undefined> =>
  name.rdns.flatMap((rdn) =>
    rdn.filter((attribute) => attribute.type === commonNameOid).map((attribute) => attribute.text),
  )
