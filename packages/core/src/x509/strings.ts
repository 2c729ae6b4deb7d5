/**
 * Text of the ASN.1 string types found in names and general names (X.680 section 41):
 * UTF8String, PrintableString, IA5String and the other ASCII types, TeletexString (read
 * as Latin-1, as browsers do), BMPString (UTF-16BE) and UniversalString (UTF-32BE).
 *
 * @since 0.1.0
 */
import { DerTag } from "@effect-tls/crypto/der"

const NumericString = 0x12
const VisibleString = 0x1a

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

/**
 * The text of an ASCII-only string (IA5String and the like), or `undefined` when a byte
 * is above 0x7f.
 *
 * @since 0.1.0
 */
export const asciiString = (bytes: Uint8Array): string | undefined => {
  let text = ""
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!
    if (byte > 0x7f) return undefined
    text += String.fromCharCode(byte)
  }
  return text
}

const latin1 = (bytes: Uint8Array): string => {
  let text = ""
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]!)
  return text
}

const utf16be = (bytes: Uint8Array): string | undefined => {
  if (bytes.length % 2 !== 0) return undefined
  let text = ""
  for (let i = 0; i < bytes.length; i += 2) text += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!)
  return text
}

const utf32be = (bytes: Uint8Array): string | undefined => {
  if (bytes.length % 4 !== 0) return undefined
  let text = ""
  for (let i = 0; i < bytes.length; i += 4) {
    const point = ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0
    if (point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) return undefined
    text += String.fromCodePoint(point)
  }
  return text
}

/** True when `tag` is one of the string types `decodeString` reads. @since 0.1.0 */
export const isStringTag = (tag: number): boolean =>
  tag === DerTag.Utf8String ||
  tag === DerTag.PrintableString ||
  tag === DerTag.Ia5String ||
  tag === NumericString ||
  tag === VisibleString ||
  tag === DerTag.TeletexString ||
  tag === DerTag.BmpString ||
  tag === DerTag.UniversalString

/**
 * The text of a string value with identifier `tag`, or `undefined` when `tag` is not a
 * string type or the contents are not valid for it.
 *
 * @since 0.1.0
 */
export const decodeString = (tag: number, bytes: Uint8Array): string | undefined => {
  switch (tag) {
    case DerTag.Utf8String:
      try {
        return utf8.decode(bytes)
      } catch {
        return undefined
      }
    case DerTag.PrintableString:
    case DerTag.Ia5String:
    case NumericString:
    case VisibleString:
      return asciiString(bytes)
    case DerTag.TeletexString:
      return latin1(bytes)
    case DerTag.BmpString:
      return utf16be(bytes)
    case DerTag.UniversalString:
      return utf32be(bytes)
    default:
      return undefined
  }
}
