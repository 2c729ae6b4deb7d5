/**
 * `GeneralName` (RFC 5280 section 4.2.1.6), as used by subjectAltName, name constraints,
 * authorityInfoAccess and the authority key identifier. DNS names, IP addresses and
 * directory names are typed; the other forms are kept with their raw bytes.
 *
 * @since 0.1.0
 */
import { contextTag, DerError, DerReader } from "@effect-tls/crypto/der"
import { type DistinguishedName, readName } from "./name.js"
import { asciiString } from "./strings.js"

/** A decoded general name. @since 0.1.0 */
export type GeneralName =
  /** `dNSName`: the IA5String as written (not normalised). */
  | { readonly _tag: "Dns"; readonly name: string }
  /** `iPAddress`: 4 or 16 bytes in a subjectAltName, 8 or 32 (address and mask) in a constraint. */
  | { readonly _tag: "Ip"; readonly bytes: Uint8Array }
  | { readonly _tag: "DirectoryName"; readonly name: DistinguishedName }
  | { readonly _tag: "Email"; readonly address: string }
  | { readonly _tag: "Uri"; readonly uri: string }
  | { readonly _tag: "OtherName"; readonly typeId: string; readonly der: Uint8Array }
  /** x400Address, ediPartyName or registeredID: kept, not interpreted. */
  | { readonly _tag: "Other"; readonly form: number; readonly der: Uint8Array }

/** The form number (the context tag) of each kind of general name. @since 0.1.0 */
export const generalNameForm = (name: GeneralName): number => {
  switch (name._tag) {
    case "OtherName":
      return 0
    case "Email":
      return 1
    case "Dns":
      return 2
    case "DirectoryName":
      return 4
    case "Uri":
      return 6
    case "Ip":
      return 7
    case "Other":
      return name.form
  }
}

const fail = (detail: string): never => {
  throw new DerError({ detail })
}

const ia5 = (bytes: Uint8Array, what: string): string => asciiString(bytes) ?? fail(`${what} is not an IA5String`)

/**
 * Reads the next `GeneralName`.
 *
 * @since 0.1.0
 */
export const readGeneralName = (reader: DerReader): GeneralName => {
  const element = reader.element()
  switch (element.tag) {
    case contextTag(0, true): {
      const other = new DerReader(element.value)
      const typeId = other.oid()
      const value = other.explicit(0)
      value.element()
      value.end()
      other.end()
      return { _tag: "OtherName", typeId, der: element.raw }
    }
    case contextTag(1, false):
      return { _tag: "Email", address: ia5(element.value, "rfc822Name") }
    case contextTag(2, false):
      return { _tag: "Dns", name: ia5(element.value, "dNSName") }
    case contextTag(4, true): {
      const directory = new DerReader(element.value)
      const name = readName(directory)
      directory.end()
      return { _tag: "DirectoryName", name }
    }
    case contextTag(6, false):
      return { _tag: "Uri", uri: ia5(element.value, "uniformResourceIdentifier") }
    case contextTag(7, false):
      return { _tag: "Ip", bytes: element.value }
    case contextTag(3, true):
    case contextTag(5, true):
    case contextTag(8, false):
      return { _tag: "Other", form: element.tag & 0x1f, der: element.raw }
    default:
      return fail(`GeneralName with identifier 0x${element.tag.toString(16)}`)
  }
}

/**
 * Reads a `GeneralNames` (SEQUENCE SIZE (1..MAX) OF GeneralName) from a reader over its
 * contents, through to the end.
 *
 * @since 0.1.0
 */
export const readGeneralNames = (reader: DerReader): ReadonlyArray<GeneralName> => {
  const names: Array<GeneralName> = []
  do names.push(readGeneralName(reader))
  while (!reader.atEnd())
  return names
}
