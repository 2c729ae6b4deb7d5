/**
 * fast-check arbitraries for every wire value: extensions per message context and every
 * handshake message, restricted to what the RFC allows so that decoding must give them back.
 */
import * as fc from "fast-check"
import { ExtensionType } from "../../src/wire/codes.js"
import {
  type Alpn,
  type CertificateAuthorities,
  type CertificateEntryExtension,
  type CertificateRequestExtension,
  type CertificateStatus,
  type ClientHelloExtension,
  type Cookie,
  type EncryptedExtensionsExtension,
  type Extension,
  type ExtensionContext,
  type ExtensionIn,
  extensionType,
  type HelloRetryRequestExtension,
  type KeyShareEntry,
  type NewSessionTicketExtension,
  type RecordSizeLimit,
  type ServerHelloExtension,
  type SignatureAlgorithms,
  type SignatureAlgorithmsCert,
  type StatusRequest,
  type SupportedGroups,
  type UnknownExtension,
} from "../../src/wire/extensions.js"
import { type Handshake, helloRetryRequestRandom } from "../../src/wire/handshake.js"

const u8 = fc.integer({ min: 0, max: 0xff })
const u16 = fc.integer({ min: 0, max: 0xffff })
const u32 = fc.integer({ min: 0, max: 0xffffffff })
const bytes = (minLength: number, maxLength: number) => fc.uint8Array({ minLength, maxLength })
const u16s = (minLength: number, maxLength: number) => fc.array(u16, { minLength, maxLength })

/** Every extension type the codec recognizes (typed, or checked against RFC 8446's table). */
export const recognizedTypes: ReadonlySet<number> = new Set(Object.values(ExtensionType))

/** An extension the codec does not recognize, GREASE included. */
export const unknownExtension: fc.Arbitrary<UnknownExtension> = fc.record({
  _tag: fc.constant("Unknown" as const),
  type: u16.filter((type) => !recognizedTypes.has(type)),
  data: bytes(0, 24),
})

const hostName = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,30}$/)
const keyShareEntry: fc.Arbitrary<KeyShareEntry> = fc.record({ group: u16, keyExchange: bytes(1, 40) })

const statusRequest: fc.Arbitrary<StatusRequest> = fc.record({
  _tag: fc.constant("StatusRequest" as const),
  responderIds: fc.array(bytes(1, 12), { maxLength: 3 }),
  requestExtensions: bytes(0, 12),
})
const certificateStatus: fc.Arbitrary<CertificateStatus> = fc.record({
  _tag: fc.constant("CertificateStatus" as const),
  response: bytes(1, 40),
})
const supportedGroups: fc.Arbitrary<SupportedGroups> = fc.record({
  _tag: fc.constant("SupportedGroups" as const),
  groups: u16s(1, 10),
})
const signatureAlgorithms: fc.Arbitrary<SignatureAlgorithms> = fc.record({
  _tag: fc.constant("SignatureAlgorithms" as const),
  schemes: u16s(1, 10),
})
const signatureAlgorithmsCert: fc.Arbitrary<SignatureAlgorithmsCert> = fc.record({
  _tag: fc.constant("SignatureAlgorithmsCert" as const),
  schemes: u16s(1, 10),
})
const cookie: fc.Arbitrary<Cookie> = fc.record({ _tag: fc.constant("Cookie" as const), cookie: bytes(1, 40) })
const recordSizeLimit: fc.Arbitrary<RecordSizeLimit> = fc.record({
  _tag: fc.constant("RecordSizeLimit" as const),
  limit: fc.integer({ min: 64, max: 0xffff }),
})
const certificateAuthorities: fc.Arbitrary<CertificateAuthorities> = fc.record({
  _tag: fc.constant("CertificateAuthorities" as const),
  authorities: fc.array(bytes(1, 20), { minLength: 1, maxLength: 3 }),
})
const alpn = (minLength: number, maxLength: number): fc.Arbitrary<Alpn> =>
  fc.record({ _tag: fc.constant("Alpn" as const), protocols: fc.array(bytes(1, 12), { minLength, maxLength }) })

const clientHelloExtension: fc.Arbitrary<ClientHelloExtension> = fc.oneof(
  fc.record({ _tag: fc.constant("ServerName" as const), hostNames: fc.tuple(hostName) }),
  statusRequest,
  supportedGroups,
  signatureAlgorithms,
  signatureAlgorithmsCert,
  fc.record({ _tag: fc.constant("SupportedVersions" as const), versions: u16s(1, 10) }),
  fc.record({
    _tag: fc.constant("KeyShareClientHello" as const),
    shares: fc.array(keyShareEntry, { maxLength: 4 }),
  }),
  cookie,
  alpn(1, 4),
  fc.record({
    _tag: fc.constant("PskKeyExchangeModes" as const),
    modes: fc.array(u8, { minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    _tag: fc.constant("PreSharedKeyClientHello" as const),
    identities: fc.array(fc.record({ identity: bytes(1, 20), obfuscatedTicketAge: u32 }), {
      minLength: 1,
      maxLength: 3,
    }),
    binders: fc.array(bytes(32, 48), { minLength: 1, maxLength: 3 }),
  }),
  fc.constant({ _tag: "EarlyData" as const }),
  recordSizeLimit,
  fc.record({ _tag: fc.constant("Padding" as const), length: fc.integer({ min: 0, max: 64 }) }),
  certificateAuthorities,
  fc.constant({ _tag: "PostHandshakeAuth" as const }),
  unknownExtension,
)

const serverHelloExtension: fc.Arbitrary<ServerHelloExtension> = fc.oneof(
  fc.record({ _tag: fc.constant("KeyShareServerHello" as const), share: keyShareEntry }),
  fc.record({ _tag: fc.constant("PreSharedKeyServerHello" as const), selectedIdentity: u16 }),
  unknownExtension,
)

const helloRetryRequestExtension: fc.Arbitrary<HelloRetryRequestExtension> = fc.oneof(
  fc.record({ _tag: fc.constant("KeyShareHelloRetryRequest" as const), selectedGroup: u16 }),
  cookie,
  fc.record({ _tag: fc.constant("SelectedVersion" as const), version: u16 }),
  unknownExtension,
)

const encryptedExtensionsExtension: fc.Arbitrary<EncryptedExtensionsExtension> = fc.oneof(
  fc.constant({ _tag: "ServerName" as const, hostNames: [] }),
  supportedGroups,
  alpn(1, 1),
  fc.constant({ _tag: "EarlyData" as const }),
  recordSizeLimit,
  unknownExtension,
)

const certificateRequestExtension: fc.Arbitrary<CertificateRequestExtension> = fc.oneof(
  statusRequest,
  signatureAlgorithms,
  signatureAlgorithmsCert,
  certificateAuthorities,
  unknownExtension,
)

const certificateEntryExtension: fc.Arbitrary<CertificateEntryExtension> = fc.oneof(certificateStatus, unknownExtension)

const newSessionTicketExtension: fc.Arbitrary<NewSessionTicketExtension> = fc.oneof(
  fc.record({ _tag: fc.constant("EarlyDataMax" as const), maxEarlyDataSize: u32 }),
  unknownExtension,
)

/** One extension allowed in each context. */
export const extensionIn: { readonly [C in ExtensionContext]: fc.Arbitrary<ExtensionIn<C>> } = {
  ClientHello: clientHelloExtension,
  ServerHello: serverHelloExtension,
  HelloRetryRequest: helloRetryRequestExtension,
  EncryptedExtensions: encryptedExtensionsExtension,
  CertificateRequest: certificateRequestExtension,
  Certificate: certificateEntryExtension,
  NewSessionTicket: newSessionTicketExtension,
}

/** pre_shared_key must come last in a ClientHello (RFC 8446 section 4.2.11). */
const pskLast = <E extends Extension>(extensions: ReadonlyArray<E>): ReadonlyArray<E> => [
  ...extensions.filter((e) => e._tag !== "PreSharedKeyClientHello"),
  ...extensions.filter((e) => e._tag === "PreSharedKeyClientHello"),
]

/** A valid extension block for a context: no duplicate types, in a legal order. */
export const extensionsIn = <C extends ExtensionContext>(
  context: C,
  minLength = 0,
  maxLength = 6,
): fc.Arbitrary<ReadonlyArray<ExtensionIn<C>>> => {
  const unique = fc.uniqueArray(extensionIn[context] as fc.Arbitrary<ExtensionIn<C>>, {
    selector: extensionType,
    minLength,
    maxLength,
  })
  if (context === "ClientHello") return unique.map(pskLast)
  if (context !== "ServerHello") return unique
  // A ServerHello without supported_versions is not TLS 1.3 (its extensions stay Unknown).
  return fc
    .tuple(unique, u16, fc.nat())
    .map(([extensions, version, at]) => [
      ...extensions.slice(0, at % (extensions.length + 1)),
      { _tag: "SelectedVersion" as const, version } as ExtensionIn<C>,
      ...extensions.slice(at % (extensions.length + 1)),
    ])
}

/** Every context with its arbitrary block, for properties over all of them. */
export const anyContextBlock: fc.Arbitrary<{ context: ExtensionContext; extensions: ReadonlyArray<Extension> }> =
  fc.oneof(
    ...(Object.keys(extensionIn) as Array<ExtensionContext>).map((context) =>
      extensionsIn(context).map((extensions) => ({ context, extensions })),
    ),
  )

const sessionId = bytes(0, 32)
const random = bytes(32, 32).filter((r) => r.some((byte, i) => byte !== helloRetryRequestRandom[i]))

/** Every handshake message, each with valid contents. */
export const handshake: fc.Arbitrary<Handshake> = fc.oneof(
  fc.record({
    _tag: fc.constant("ClientHello" as const),
    legacyVersion: u16,
    random,
    legacySessionId: sessionId,
    cipherSuites: u16s(1, 10),
    // Two extensions make the 8 bytes the block needs at least.
    extensions: extensionsIn("ClientHello", 2),
  }),
  fc.record({
    _tag: fc.constant("ServerHello" as const),
    legacyVersion: u16,
    random,
    legacySessionIdEcho: sessionId,
    cipherSuite: u16,
    extensions: extensionsIn("ServerHello"),
  }),
  fc.record({
    _tag: fc.constant("HelloRetryRequest" as const),
    legacyVersion: u16,
    legacySessionIdEcho: sessionId,
    cipherSuite: u16,
    extensions: extensionsIn("HelloRetryRequest", 2),
  }),
  fc.record({ _tag: fc.constant("EncryptedExtensions" as const), extensions: extensionsIn("EncryptedExtensions") }),
  fc.record({
    _tag: fc.constant("CertificateRequest" as const),
    requestContext: bytes(0, 12),
    extensions: extensionsIn("CertificateRequest", 1),
  }),
  fc.record({
    _tag: fc.constant("Certificate" as const),
    requestContext: bytes(0, 12),
    entries: fc.array(fc.record({ certData: bytes(1, 64), extensions: extensionsIn("Certificate", 0, 2) }), {
      maxLength: 4,
    }),
  }),
  fc.record({ _tag: fc.constant("CertificateVerify" as const), algorithm: u16, signature: bytes(0, 96) }),
  fc.record({ _tag: fc.constant("Finished" as const), verifyData: bytes(0, 64) }),
  fc.record({
    _tag: fc.constant("NewSessionTicket" as const),
    ticketLifetime: u32,
    ticketAgeAdd: u32,
    ticketNonce: bytes(0, 12),
    ticket: bytes(1, 64),
    extensions: extensionsIn("NewSessionTicket"),
  }),
  fc.record({ _tag: fc.constant("KeyUpdate" as const), updateRequested: fc.boolean() }),
  fc.constant({ _tag: "EndOfEarlyData" as const }),
  fc.record({ _tag: fc.constant("MessageHash" as const), hash: bytes(0, 64) }),
)

/** A way to cut `length` bytes into consecutive pieces: the sorted cut offsets. */
export const cuts = (length: number): fc.Arbitrary<ReadonlyArray<number>> =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: Math.min(length, 40) })
    .map((offsets) => offsets.filter((offset) => offset < length).sort((a, b) => a - b))

/** `bytes` cut at `offsets`. */
export const split = (input: Uint8Array, offsets: ReadonlyArray<number>): ReadonlyArray<Uint8Array> => {
  const pieces: Array<Uint8Array> = []
  let from = 0
  for (const offset of [...offsets, input.length]) {
    pieces.push(input.subarray(from, offset))
    from = offset
  }
  return pieces
}
