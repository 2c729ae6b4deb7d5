/**
 * TLS 1.3 extensions (RFC 8446 section 4.2) as a tagged union of plain readonly objects,
 * decoded in the context of the message that carries them: the same code point has a
 * different body in a ClientHello than in a ServerHello. Blocks keep wire order, and
 * extensions we do not model stay `Unknown` with their bytes, so every block re-encodes to
 * the bytes it was decoded from.
 *
 * @since 0.1.0
 */
import { Either } from "effect"
import { AlertDescription, ExtensionType, isGrease, nameOf } from "./codes.js"
import { ByteReader, DecodeError, decodeWith, fail } from "./reader.js"
import { ByteWriter } from "./writer.js"

/** The messages that carry extensions (the columns of RFC 8446's table in section 4.2). @since 0.1.0 */
export type ExtensionContext =
  | "ClientHello"
  | "ServerHello"
  | "HelloRetryRequest"
  | "EncryptedExtensions"
  | "CertificateRequest"
  | "Certificate"
  | "NewSessionTicket"

/** server_name (RFC 6066): one host name in a ClientHello; empty in EncryptedExtensions. @since 0.1.0 */
export interface ServerName {
  readonly _tag: "ServerName"
  readonly hostNames: ReadonlyArray<string>
}

/** status_request in a ClientHello or CertificateRequest: an OCSP request (RFC 6066 section 8). @since 0.1.0 */
export interface StatusRequest {
  readonly _tag: "StatusRequest"
  readonly responderIds: ReadonlyArray<Uint8Array>
  readonly requestExtensions: Uint8Array
}

/** status_request in a CertificateEntry: the stapled OCSP response (RFC 8446 section 4.4.2.1). @since 0.1.0 */
export interface CertificateStatus {
  readonly _tag: "CertificateStatus"
  readonly response: Uint8Array
}

/** supported_groups (RFC 8446 section 4.2.7). @since 0.1.0 */
export interface SupportedGroups {
  readonly _tag: "SupportedGroups"
  readonly groups: ReadonlyArray<number>
}

/** signature_algorithms (RFC 8446 section 4.2.3). @since 0.1.0 */
export interface SignatureAlgorithms {
  readonly _tag: "SignatureAlgorithms"
  readonly schemes: ReadonlyArray<number>
}

/** signature_algorithms_cert (RFC 8446 section 4.2.3). @since 0.1.0 */
export interface SignatureAlgorithmsCert {
  readonly _tag: "SignatureAlgorithmsCert"
  readonly schemes: ReadonlyArray<number>
}

/** supported_versions in a ClientHello: the offered versions (RFC 8446 section 4.2.1). @since 0.1.0 */
export interface SupportedVersions {
  readonly _tag: "SupportedVersions"
  readonly versions: ReadonlyArray<number>
}

/** supported_versions in a ServerHello or HelloRetryRequest: the selected version. @since 0.1.0 */
export interface SelectedVersion {
  readonly _tag: "SelectedVersion"
  readonly version: number
}

/** One key share: a group and its public value (RFC 8446 section 4.2.8). @since 0.1.0 */
export interface KeyShareEntry {
  readonly group: number
  readonly keyExchange: Uint8Array
}

/** key_share in a ClientHello: the client's shares. @since 0.1.0 */
export interface KeyShareClientHello {
  readonly _tag: "KeyShareClientHello"
  readonly shares: ReadonlyArray<KeyShareEntry>
}

/** key_share in a ServerHello: the server's share. @since 0.1.0 */
export interface KeyShareServerHello {
  readonly _tag: "KeyShareServerHello"
  readonly share: KeyShareEntry
}

/** key_share in a HelloRetryRequest: the group the server wants. @since 0.1.0 */
export interface KeyShareHelloRetryRequest {
  readonly _tag: "KeyShareHelloRetryRequest"
  readonly selectedGroup: number
}

/** cookie (RFC 8446 section 4.2.2). @since 0.1.0 */
export interface Cookie {
  readonly _tag: "Cookie"
  readonly cookie: Uint8Array
}

/**
 * application_layer_protocol_negotiation (RFC 7301): the offered protocol names in a
 * ClientHello, exactly one in EncryptedExtensions. Names are bytes (they need not be text).
 *
 * @since 0.1.0
 */
export interface Alpn {
  readonly _tag: "Alpn"
  readonly protocols: ReadonlyArray<Uint8Array>
}

/** psk_key_exchange_modes (RFC 8446 section 4.2.9). @since 0.1.0 */
export interface PskKeyExchangeModes {
  readonly _tag: "PskKeyExchangeModes"
  readonly modes: ReadonlyArray<number>
}

/** A PSK identity offered in a ClientHello (RFC 8446 section 4.2.11). @since 0.1.0 */
export interface PskIdentity {
  readonly identity: Uint8Array
  readonly obfuscatedTicketAge: number
}

/** pre_shared_key in a ClientHello: identities and their binders; always the last extension. @since 0.1.0 */
export interface PreSharedKeyClientHello {
  readonly _tag: "PreSharedKeyClientHello"
  readonly identities: ReadonlyArray<PskIdentity>
  readonly binders: ReadonlyArray<Uint8Array>
}

/** pre_shared_key in a ServerHello: the index of the identity the server chose. @since 0.1.0 */
export interface PreSharedKeyServerHello {
  readonly _tag: "PreSharedKeyServerHello"
  readonly selectedIdentity: number
}

/** early_data in a ClientHello or EncryptedExtensions (empty). @since 0.1.0 */
export interface EarlyData {
  readonly _tag: "EarlyData"
}

/** early_data in a NewSessionTicket: how much 0-RTT data the ticket allows. @since 0.1.0 */
export interface EarlyDataMax {
  readonly _tag: "EarlyDataMax"
  readonly maxEarlyDataSize: number
}

/** record_size_limit (RFC 8449): at least 64. @since 0.1.0 */
export interface RecordSizeLimit {
  readonly _tag: "RecordSizeLimit"
  readonly limit: number
}

/** padding (RFC 7685): `length` zero bytes. @since 0.1.0 */
export interface Padding {
  readonly _tag: "Padding"
  readonly length: number
}

/** certificate_authorities: DER distinguished names (RFC 8446 section 4.2.4). @since 0.1.0 */
export interface CertificateAuthorities {
  readonly _tag: "CertificateAuthorities"
  readonly authorities: ReadonlyArray<Uint8Array>
}

/** post_handshake_auth (empty; RFC 8446 section 4.2.6). @since 0.1.0 */
export interface PostHandshakeAuth {
  readonly _tag: "PostHandshakeAuth"
}

/** Any extension we do not model (including GREASE, RFC 8701), kept as its bytes. @since 0.1.0 */
export interface UnknownExtension {
  readonly _tag: "Unknown"
  readonly type: number
  readonly data: Uint8Array
}

/** Extensions a ClientHello may carry. @since 0.1.0 */
export type ClientHelloExtension =
  | ServerName
  | StatusRequest
  | SupportedGroups
  | SignatureAlgorithms
  | SignatureAlgorithmsCert
  | SupportedVersions
  | KeyShareClientHello
  | Cookie
  | Alpn
  | PskKeyExchangeModes
  | PreSharedKeyClientHello
  | EarlyData
  | RecordSizeLimit
  | Padding
  | CertificateAuthorities
  | PostHandshakeAuth
  | UnknownExtension

/** Extensions a ServerHello may carry. @since 0.1.0 */
export type ServerHelloExtension = KeyShareServerHello | PreSharedKeyServerHello | SelectedVersion | UnknownExtension

/** Extensions a HelloRetryRequest may carry. @since 0.1.0 */
export type HelloRetryRequestExtension = KeyShareHelloRetryRequest | Cookie | SelectedVersion | UnknownExtension

/** Extensions EncryptedExtensions may carry. @since 0.1.0 */
export type EncryptedExtensionsExtension =
  | ServerName
  | SupportedGroups
  | Alpn
  | EarlyData
  | RecordSizeLimit
  | UnknownExtension

/** Extensions a CertificateRequest may carry. @since 0.1.0 */
export type CertificateRequestExtension =
  | StatusRequest
  | SignatureAlgorithms
  | SignatureAlgorithmsCert
  | CertificateAuthorities
  | UnknownExtension

/** Extensions a CertificateEntry may carry. @since 0.1.0 */
export type CertificateEntryExtension = CertificateStatus | UnknownExtension

/** Extensions a NewSessionTicket may carry. @since 0.1.0 */
export type NewSessionTicketExtension = EarlyDataMax | UnknownExtension

/** Every extension shape. @since 0.1.0 */
export type Extension =
  | ClientHelloExtension
  | ServerHelloExtension
  | HelloRetryRequestExtension
  | EncryptedExtensionsExtension
  | CertificateRequestExtension
  | CertificateEntryExtension
  | NewSessionTicketExtension

/** The extension shapes allowed in a context. @since 0.1.0 */
export type ExtensionIn<C extends ExtensionContext> = {
  readonly ClientHello: ClientHelloExtension
  readonly ServerHello: ServerHelloExtension
  readonly HelloRetryRequest: HelloRetryRequestExtension
  readonly EncryptedExtensions: EncryptedExtensionsExtension
  readonly CertificateRequest: CertificateRequestExtension
  readonly Certificate: CertificateEntryExtension
  readonly NewSessionTicket: NewSessionTicketExtension
}[C]

const CH = "ClientHello"
const SH = "ServerHello"
const HRR = "HelloRetryRequest"
const EE = "EncryptedExtensions"
const CR = "CertificateRequest"
const CT = "Certificate"
const NST = "NewSessionTicket"

/**
 * Where each extension we recognize may appear in TLS 1.3 (RFC 8446 section 4.2 table;
 * RFC 8449 for record_size_limit). TLS 1.2-only extensions are allowed in the ClientHello
 * (a client may offer TLS 1.2 too) and nowhere else.
 */
const allowedIn: Readonly<Record<keyof typeof ExtensionType, ReadonlyArray<ExtensionContext>>> = {
  server_name: [CH, EE],
  status_request: [CH, CR, CT],
  supported_groups: [CH, EE],
  ec_point_formats: [CH],
  signature_algorithms: [CH, CR],
  application_layer_protocol_negotiation: [CH, EE],
  signed_certificate_timestamp: [CH, CR, CT],
  padding: [CH],
  encrypt_then_mac: [CH],
  extended_master_secret: [CH],
  record_size_limit: [CH, EE],
  session_ticket: [CH],
  pre_shared_key: [CH, SH],
  early_data: [CH, EE, NST],
  supported_versions: [CH, SH, HRR],
  cookie: [CH, HRR],
  psk_key_exchange_modes: [CH],
  certificate_authorities: [CH, CR],
  oid_filters: [CR],
  post_handshake_auth: [CH],
  signature_algorithms_cert: [CH, CR],
  key_share: [CH, SH, HRR],
  renegotiation_info: [CH],
}

const allowedByCode: ReadonlyMap<number, ReadonlyArray<ExtensionContext>> = new Map(
  Object.entries(allowedIn).map(([name, contexts]) => [ExtensionType[name as keyof typeof ExtensionType], contexts]),
)

const OCSP = 1
const HOST_NAME = 0

/**
 * The extension type (code point) of an extension.
 *
 * @since 0.1.0
 */
export const extensionType = (extension: Extension): number => {
  switch (extension._tag) {
    case "ServerName":
      return ExtensionType.server_name
    case "StatusRequest":
    case "CertificateStatus":
      return ExtensionType.status_request
    case "SupportedGroups":
      return ExtensionType.supported_groups
    case "SignatureAlgorithms":
      return ExtensionType.signature_algorithms
    case "SignatureAlgorithmsCert":
      return ExtensionType.signature_algorithms_cert
    case "SupportedVersions":
    case "SelectedVersion":
      return ExtensionType.supported_versions
    case "KeyShareClientHello":
    case "KeyShareServerHello":
    case "KeyShareHelloRetryRequest":
      return ExtensionType.key_share
    case "Cookie":
      return ExtensionType.cookie
    case "Alpn":
      return ExtensionType.application_layer_protocol_negotiation
    case "PskKeyExchangeModes":
      return ExtensionType.psk_key_exchange_modes
    case "PreSharedKeyClientHello":
    case "PreSharedKeyServerHello":
      return ExtensionType.pre_shared_key
    case "EarlyData":
    case "EarlyDataMax":
      return ExtensionType.early_data
    case "RecordSizeLimit":
      return ExtensionType.record_size_limit
    case "Padding":
      return ExtensionType.padding
    case "CertificateAuthorities":
      return ExtensionType.certificate_authorities
    case "PostHandshakeAuth":
      return ExtensionType.post_handshake_auth
    case "Unknown":
      return extension.type
  }
}

// ---------------------------------------------------------------------------------------
// Decoding

const illegal = (detail: string): never => fail(AlertDescription.illegal_parameter, detail)

const readAscii = (bytes: Uint8Array): string => {
  let text = ""
  for (const byte of bytes) {
    if (byte > 0x7f) fail(AlertDescription.decode_error, "server_name host name is not ASCII")
    text += String.fromCharCode(byte)
  }
  return text
}

const readU16List = (r: ByteReader, min: number, max: number): ReadonlyArray<number> => {
  const list = r.vector16(min, max)
  const values: Array<number> = []
  while (!list.atEnd()) values.push(list.u16())
  return values
}

const readOpaqueList = (list: ByteReader, item: (r: ByteReader) => ByteReader): ReadonlyArray<Uint8Array> => {
  const items: Array<Uint8Array> = []
  while (!list.atEnd()) items.push(item(list).rest())
  return items
}

const readKeyShareEntry = (r: ByteReader): KeyShareEntry => ({
  group: r.u16(),
  keyExchange: r.vector16(1).rest(),
})

const readServerName = (r: ByteReader, context: ExtensionContext): ServerName => {
  if (context !== CH) return { _tag: "ServerName", hostNames: [] }
  const list = r.vector16(1)
  const hostNames: Array<string> = []
  while (!list.atEnd()) {
    const nameType = list.u8()
    if (nameType !== HOST_NAME) fail(AlertDescription.decode_error, `server_name of unknown name type ${nameType}`)
    hostNames.push(readAscii(list.vector16(1).rest()))
  }
  // RFC 6066 section 3: at most one name of each name_type.
  if (hostNames.length > 1) illegal("server_name lists more than one host_name")
  return { _tag: "ServerName", hostNames }
}

const readAlpn = (r: ByteReader, context: ExtensionContext): Alpn => {
  const protocols = readOpaqueList(r.vector16(2), (list) => list.vector8(1))
  // RFC 7301 section 3.1: the server's list holds exactly one name.
  if (context !== CH && protocols.length !== 1) illegal(`ALPN response names ${protocols.length} protocols`)
  return { _tag: "Alpn", protocols }
}

const readPreSharedKey = (r: ByteReader): PreSharedKeyClientHello => {
  const identityList = r.vector16(7)
  const identities: Array<PskIdentity> = []
  while (!identityList.atEnd()) {
    identities.push({ identity: identityList.vector16(1).rest(), obfuscatedTicketAge: identityList.u32() })
  }
  const binders = readOpaqueList(r.vector16(33), (list) => list.vector8(32))
  return { _tag: "PreSharedKeyClientHello", identities, binders }
}

const readPadding = (r: ByteReader): Padding => {
  const zeros = r.rest()
  if (zeros.some((byte) => byte !== 0)) illegal("padding extension holds non-zero bytes")
  return { _tag: "Padding", length: zeros.length }
}

const readRecordSizeLimit = (r: ByteReader): RecordSizeLimit => {
  const limit = r.u16()
  // RFC 8449 section 4: a value below 64 is illegal_parameter.
  if (limit < 64) illegal(`record_size_limit ${limit} is below 64`)
  return { _tag: "RecordSizeLimit", limit }
}

/** Decodes the body of a recognized extension, given it is allowed in `context`. */
const readBody = (type: number, r: ByteReader, context: ExtensionContext): Extension | undefined => {
  switch (type) {
    case ExtensionType.server_name:
      return readServerName(r, context)
    case ExtensionType.status_request: {
      // An empty status_request in a CertificateRequest asks for a stapled client status (RFC 8446 4.4.2.1): kept raw.
      if (context === CR && r.atEnd()) return undefined
      if (r.u8() !== OCSP) return undefined
      if (context === CT) return { _tag: "CertificateStatus", response: r.vector24(1).rest() }
      const responderIds = readOpaqueList(r.vector16(), (list) => list.vector16(1))
      return { _tag: "StatusRequest", responderIds, requestExtensions: r.vector16().rest() }
    }
    case ExtensionType.supported_groups:
      return { _tag: "SupportedGroups", groups: readU16List(r, 2, 0xffff) }
    case ExtensionType.signature_algorithms:
      return { _tag: "SignatureAlgorithms", schemes: readU16List(r, 2, 0xfffe) }
    case ExtensionType.signature_algorithms_cert:
      return { _tag: "SignatureAlgorithmsCert", schemes: readU16List(r, 2, 0xfffe) }
    case ExtensionType.supported_versions: {
      if (context !== CH) return { _tag: "SelectedVersion", version: r.u16() }
      const list = r.vector8(2, 254)
      const versions: Array<number> = []
      while (!list.atEnd()) versions.push(list.u16())
      return { _tag: "SupportedVersions", versions }
    }
    case ExtensionType.key_share: {
      if (context === SH) return { _tag: "KeyShareServerHello", share: readKeyShareEntry(r) }
      if (context === HRR) return { _tag: "KeyShareHelloRetryRequest", selectedGroup: r.u16() }
      const list = r.vector16()
      const shares: Array<KeyShareEntry> = []
      while (!list.atEnd()) shares.push(readKeyShareEntry(list))
      return { _tag: "KeyShareClientHello", shares }
    }
    case ExtensionType.cookie:
      return { _tag: "Cookie", cookie: r.vector16(1).rest() }
    case ExtensionType.application_layer_protocol_negotiation:
      return readAlpn(r, context)
    case ExtensionType.psk_key_exchange_modes: {
      const list = r.vector8(1)
      const modes: Array<number> = []
      while (!list.atEnd()) modes.push(list.u8())
      return { _tag: "PskKeyExchangeModes", modes }
    }
    case ExtensionType.pre_shared_key:
      return context === SH ? { _tag: "PreSharedKeyServerHello", selectedIdentity: r.u16() } : readPreSharedKey(r)
    case ExtensionType.early_data:
      return context === NST ? { _tag: "EarlyDataMax", maxEarlyDataSize: r.u32() } : { _tag: "EarlyData" }
    case ExtensionType.record_size_limit:
      return readRecordSizeLimit(r)
    case ExtensionType.padding:
      return readPadding(r)
    case ExtensionType.certificate_authorities:
      return {
        _tag: "CertificateAuthorities",
        authorities: readOpaqueList(r.vector16(3), (list) => list.vector16(1)),
      }
    case ExtensionType.post_handshake_auth:
      return { _tag: "PostHandshakeAuth" }
    default:
      return undefined
  }
}

const readExtension = (type: number, data: ByteReader, context: ExtensionContext): Extension => {
  const allowed = allowedByCode.get(type)
  if (allowed === undefined) return { _tag: "Unknown", type, data: data.rest() }
  if (!allowed.includes(context)) illegal(`${nameOf(ExtensionType, type)} extension is not allowed in ${context}`)
  const raw = data.rest()
  const body = new ByteReader(raw)
  const extension = readBody(type, body, context)
  if (extension === undefined) return { _tag: "Unknown", type, data: raw }
  body.end()
  return extension
}

/**
 * Reads an extension block (`Extension extensions<min..2^16-1>`) in `context`, rejecting
 * duplicates and recognized extensions the context does not allow (illegal_parameter,
 * RFC 8446 section 4.2). A ServerHello without supported_versions is not TLS 1.3: its
 * extensions are all kept `Unknown` so the caller can answer with protocol_version.
 *
 * @since 0.1.0
 */
export const readExtensions = <C extends ExtensionContext>(
  r: ByteReader,
  context: C,
  min = 0,
  max = 0xffff,
): ReadonlyArray<ExtensionIn<C>> => {
  const block = r.vector16(min, max)
  const entries: Array<{ readonly type: number; readonly data: ByteReader }> = []
  const seen = new Set<number>()
  while (!block.atEnd()) {
    const type = block.u16()
    if (seen.has(type)) illegal(`duplicate ${nameOf(ExtensionType, type)} extension in ${context}`)
    seen.add(type)
    entries.push({ type, data: block.vector16() })
  }
  const legacy = context === SH && !seen.has(ExtensionType.supported_versions)
  const extensions = entries.map(({ type, data }) =>
    legacy ? { _tag: "Unknown" as const, type, data: data.rest() } : readExtension(type, data, context),
  )
  // RFC 8446 section 4.2.11: pre_shared_key must be the last extension of a ClientHello.
  const psk = entries.findIndex((entry) => entry.type === ExtensionType.pre_shared_key)
  if (context === CH && psk !== -1 && psk !== entries.length - 1) {
    illegal("pre_shared_key is not the last extension of the ClientHello")
  }
  return extensions as ReadonlyArray<ExtensionIn<C>>
}

// ---------------------------------------------------------------------------------------
// Encoding

/**
 * How many bytes the binders list (`PskBinderEntry binders<33..2^16-1>`, length prefix
 * included) takes at the end of an encoded ClientHello: the PSK binders are computed over
 * the ClientHello truncated before it (RFC 8446 section 4.2.11.2).
 *
 * @since 0.1.0
 */
export const pskBindersLength = (extension: PreSharedKeyClientHello): number =>
  extension.binders.reduce((total, binder) => total + 1 + binder.length, 2)

const writeAscii = (w: ByteWriter, text: string): void => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code > 0x7f) throw new RangeError(`host name ${JSON.stringify(text)} is not ASCII`)
    w.u8(code)
  }
}

const writeU16List = (w: ByteWriter, values: ReadonlyArray<number>, min: number, max: number): void => {
  w.lengthPrefixed16(
    () => {
      for (const value of values) w.u16(value)
    },
    min,
    max,
  )
}

const writeKeyShareEntry = (w: ByteWriter, entry: KeyShareEntry): void => {
  w.u16(entry.group).lengthPrefixed16(() => w.bytes(entry.keyExchange), 1)
}

const writeBody = (w: ByteWriter, extension: Extension): void => {
  switch (extension._tag) {
    case "ServerName":
      if (extension.hostNames.length === 0) return
      w.lengthPrefixed16(() => {
        for (const name of extension.hostNames) {
          w.u8(HOST_NAME).lengthPrefixed16(() => writeAscii(w, name), 1)
        }
      }, 1)
      return
    case "StatusRequest":
      w.u8(OCSP).lengthPrefixed16(() => {
        for (const id of extension.responderIds) w.lengthPrefixed16(() => w.bytes(id), 1)
      })
      w.lengthPrefixed16(() => w.bytes(extension.requestExtensions))
      return
    case "CertificateStatus":
      w.u8(OCSP).lengthPrefixed24(() => w.bytes(extension.response), 1)
      return
    case "SupportedGroups":
      writeU16List(w, extension.groups, 2, 0xffff)
      return
    case "SignatureAlgorithms":
    case "SignatureAlgorithmsCert":
      writeU16List(w, extension.schemes, 2, 0xfffe)
      return
    case "SupportedVersions":
      w.lengthPrefixed8(
        () => {
          for (const version of extension.versions) w.u16(version)
        },
        2,
        254,
      )
      return
    case "SelectedVersion":
      w.u16(extension.version)
      return
    case "KeyShareClientHello":
      w.lengthPrefixed16(() => {
        for (const share of extension.shares) writeKeyShareEntry(w, share)
      })
      return
    case "KeyShareServerHello":
      writeKeyShareEntry(w, extension.share)
      return
    case "KeyShareHelloRetryRequest":
      w.u16(extension.selectedGroup)
      return
    case "Cookie":
      w.lengthPrefixed16(() => w.bytes(extension.cookie), 1)
      return
    case "Alpn":
      w.lengthPrefixed16(() => {
        for (const protocol of extension.protocols) w.lengthPrefixed8(() => w.bytes(protocol), 1)
      }, 2)
      return
    case "PskKeyExchangeModes":
      w.lengthPrefixed8(() => {
        for (const mode of extension.modes) w.u8(mode)
      }, 1)
      return
    case "PreSharedKeyClientHello":
      w.lengthPrefixed16(() => {
        for (const { identity, obfuscatedTicketAge } of extension.identities) {
          w.lengthPrefixed16(() => w.bytes(identity), 1).u32(obfuscatedTicketAge)
        }
      }, 7)
      w.lengthPrefixed16(() => {
        for (const binder of extension.binders) w.lengthPrefixed8(() => w.bytes(binder), 32)
      }, 33)
      return
    case "PreSharedKeyServerHello":
      w.u16(extension.selectedIdentity)
      return
    case "EarlyData":
    case "PostHandshakeAuth":
      return
    case "EarlyDataMax":
      w.u32(extension.maxEarlyDataSize)
      return
    case "RecordSizeLimit":
      w.u16(extension.limit)
      return
    case "Padding":
      w.bytes(new Uint8Array(extension.length))
      return
    case "CertificateAuthorities":
      w.lengthPrefixed16(() => {
        for (const name of extension.authorities) w.lengthPrefixed16(() => w.bytes(name), 1)
      }, 3)
      return
    case "Unknown":
      w.bytes(extension.data)
      return
  }
}

/**
 * Writes an extension block (2-byte length, then each extension in order).
 *
 * @since 0.1.0
 */
export const writeExtensions = (w: ByteWriter, extensions: ReadonlyArray<Extension>, min = 0, max = 0xffff): void => {
  w.lengthPrefixed16(
    () => {
      for (const extension of extensions) {
        w.u16(extensionType(extension)).lengthPrefixed16(() => writeBody(w, extension))
      }
    },
    min,
    max,
  )
}

/**
 * Encodes an extension block, with its 2-byte length prefix.
 *
 * @since 0.1.0
 */
export const encodeExtensions = (extensions: ReadonlyArray<Extension>): Uint8Array => {
  const w = new ByteWriter()
  writeExtensions(w, extensions)
  return w.finish()
}

/**
 * Decodes an extension block (with its 2-byte length prefix) as found in `context`.
 *
 * @since 0.1.0
 */
export const decodeExtensions = <C extends ExtensionContext>(
  bytes: Uint8Array,
  context: C,
): Either.Either<ReadonlyArray<ExtensionIn<C>>, DecodeError> => decodeWith(bytes, (r) => readExtensions(r, context))

/**
 * Checks that every extension the server sent answers one we offered (RFC 8446 section
 * 4.2): anything else is unsupported_extension. The cookie of a HelloRetryRequest is the
 * one extension a server may send unasked.
 *
 * @since 0.1.0
 */
export const checkOffered = (
  received: ReadonlyArray<Extension>,
  offeredTypes: ReadonlySet<number>,
  context: ExtensionContext,
): Either.Either<void, DecodeError> => {
  for (const extension of received) {
    const type = extensionType(extension)
    // A GREASE type we sent is never a valid answer (RFC 8701 section 3).
    if (!isGrease(type) && (offeredTypes.has(type) || (context === HRR && type === ExtensionType.cookie))) continue
    return Either.left(
      new DecodeError({
        alert: AlertDescription.unsupported_extension,
        detail: `unsolicited ${nameOf(ExtensionType, type)} extension in ${context}`,
      }),
    )
  }
  return Either.void
}
