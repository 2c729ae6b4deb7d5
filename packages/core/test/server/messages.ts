/**
 * What the scripted server says, as plain functions: its choices from a ClientHello and
 * its options (suite, group), and the messages it sends before the message hook sees them.
 */
import type { KeyAgreementGroup } from "@effect-tls/crypto"
import { type Tls13Suite, tls13Suite } from "../../src/crypto/suites.js"
import { groupCode, groupOfCode } from "../../src/handshake/clientHello.js"
import { ProtocolVersion } from "../../src/wire/codes.js"
import type {
  Certificate,
  CertificateRequest,
  ClientHello,
  EncryptedExtensions,
  HelloRetryRequest,
  NewSessionTicket,
  ServerHello,
} from "../../src/wire/handshake.js"
import type { Identity } from "./identity.js"
import type { HelloRetryOptions, ServerOptions } from "./options.js"

const encoder = new TextEncoder()
const empty = new Uint8Array(0)
const tls13 = { _tag: "SelectedVersion", version: ProtocolVersion.TLSv1_3 } as const

/** The suite to select: the one the options name, else the client's first TLS 1.3 suite. */
export const chooseSuite = (hello: ClientHello, options: ServerOptions): Tls13Suite | undefined => {
  const code = options.suite ?? hello.cipherSuites.find((c) => tls13Suite(c) !== undefined)
  return code === undefined ? undefined : tls13Suite(code)
}

/** The group of the ServerHello and the client's share for it, when the client sent one. */
export const chooseGroup = (
  hello: ClientHello,
  options: ServerOptions,
): { readonly group: KeyAgreementGroup | undefined; readonly clientShare: Uint8Array | undefined } => {
  const shares = hello.extensions.find((e) => e._tag === "KeyShareClientHello")?.shares ?? []
  const group =
    options.group ??
    options.helloRetry?.group ??
    shares.map((share) => groupOfCode(share.group)).find((g) => g !== undefined)
  const share = group === undefined ? undefined : shares.find((s) => s.group === groupCode(group))
  return { group, clientShare: share?.keyExchange }
}

/** The HelloRetryRequest: TLS 1.3, and the group and cookie asked for. */
export const helloRetryRequest = (
  hello: ClientHello,
  suite: Tls13Suite,
  retry: HelloRetryOptions,
): HelloRetryRequest => ({
  _tag: "HelloRetryRequest",
  legacyVersion: ProtocolVersion.TLSv1_2,
  legacySessionIdEcho: hello.legacySessionId,
  cipherSuite: suite.code,
  extensions: [
    tls13,
    ...(retry.group === undefined
      ? []
      : [{ _tag: "KeyShareHelloRetryRequest" as const, selectedGroup: groupCode(retry.group) }]),
    ...(retry.cookie === undefined ? [] : [{ _tag: "Cookie" as const, cookie: retry.cookie }]),
  ],
})

/** The ServerHello: TLS 1.3 and the server's key share. */
export const serverHello = (
  hello: ClientHello,
  suite: Tls13Suite,
  random: Uint8Array,
  group: KeyAgreementGroup,
  publicKey: Uint8Array,
): ServerHello => ({
  _tag: "ServerHello",
  legacyVersion: ProtocolVersion.TLSv1_2,
  random,
  legacySessionIdEcho: hello.legacySessionId,
  cipherSuite: suite.code,
  extensions: [tls13, { _tag: "KeyShareServerHello", share: { group: groupCode(group), keyExchange: publicKey } }],
})

/** EncryptedExtensions with the ALPN protocol and record_size_limit the options name. */
export const encryptedExtensions = ({ alpn, recordSizeLimit }: ServerOptions): EncryptedExtensions => ({
  _tag: "EncryptedExtensions",
  extensions: [
    ...(alpn === undefined ? [] : [{ _tag: "Alpn" as const, protocols: [encoder.encode(alpn)] }]),
    ...(recordSizeLimit === undefined ? [] : [{ _tag: "RecordSizeLimit" as const, limit: recordSizeLimit }]),
  ],
})

/** A CertificateRequest offering `schemes`. */
export const certificateRequest = (schemes: ReadonlyArray<number>): CertificateRequest => ({
  _tag: "CertificateRequest",
  requestContext: empty,
  extensions: [{ _tag: "SignatureAlgorithms", schemes }],
})

/** The server's Certificate: the identity's certificate alone. */
export const certificate = (identity: Identity): Certificate => ({
  _tag: "Certificate",
  requestContext: empty,
  entries: [{ certData: identity.certificate, extensions: [] }],
})

/** The `index`th NewSessionTicket (its nonce is the index). */
export const newSessionTicket = (index: number, ticket: Uint8Array): NewSessionTicket => ({
  _tag: "NewSessionTicket",
  ticketLifetime: 7200,
  ticketAgeAdd: 0x5eed0000 + index,
  ticketNonce: Uint8Array.of(index),
  ticket,
  extensions: [],
})
