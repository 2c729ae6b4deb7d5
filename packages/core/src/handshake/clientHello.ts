/**
 * Building the ClientHello: the offer made from the configuration (random, legacy session
 * id, key shares, GREASE), the second ClientHello after a HelloRetryRequest (RFC 8446
 * section 4.1.2), and the padding rule that keeps a ClientHello out of the 256..511-byte
 * range some middleboxes mishandle.
 *
 * @since 0.1.0
 */
import { inlineGen, type KeyAgreementGroup, type KeyShare, TlsCrypto } from "@effect-tls/crypto"
import type { Effect } from "effect"
import { Fatal, FatalReason } from "../errors.js"
import { ExtensionType, greaseValue, NamedGroup, ProtocolVersion } from "../wire/codes.js"
import { type ClientHelloExtension, extensionType, type KeyShareEntry } from "../wire/extensions.js"
import { type ClientHello, encodeHandshake } from "../wire/handshake.js"
import type { ClientConfig } from "./config.js"

/** What we offered: the ClientHello sent and the private halves of its key shares. @since 0.1.0 */
export interface Offer {
  readonly hello: ClientHello
  /** The encoded ClientHello (handshake header included), as hashed into the transcript. */
  readonly encoded: Uint8Array
  readonly keyShares: ReadonlyArray<KeyShare>
}

/** The wire code of a group. @since 0.1.0 */
export const groupCode = (group: KeyAgreementGroup): number => NamedGroup[group]

/** The group of a wire code, when it is one we implement. @since 0.1.0 */
export const groupOfCode = (code: number): KeyAgreementGroup | undefined =>
  code === NamedGroup.x25519
    ? "x25519"
    : code === NamedGroup.secp256r1
      ? "secp256r1"
      : code === NamedGroup.secp384r1
        ? "secp384r1"
        : undefined

const encoder = new TextEncoder()

const paddingFor = (length: number): number | undefined =>
  length >= 256 && length < 512 ? Math.max(1, 512 - length - 4) : undefined

/**
 * The ClientHello with a padding extension when its encoding would be 256..511 bytes long
 * (the size that hangs some F5 middleboxes), so that it becomes 512 bytes. An existing
 * padding extension is recomputed. Padding stays before pre_shared_key, which must be last.
 *
 * @since 0.1.0
 */
export const withPadding = (hello: ClientHello): ClientHello => {
  const unpadded: ClientHello = { ...hello, extensions: hello.extensions.filter((e) => e._tag !== "Padding") }
  const padding = paddingFor(encodeHandshake(unpadded).length)
  if (padding === undefined) return unpadded
  const extensions = [...unpadded.extensions]
  const pskAt = extensions.findIndex((e) => e._tag === "PreSharedKeyClientHello")
  extensions.splice(pskAt < 0 ? extensions.length : pskAt, 0, { _tag: "Padding", length: padding })
  return { ...unpadded, extensions }
}

/**
 * `rest` with `first` (a GREASE value) in front when there is one, as a new array. Plain
 * pushes: spreading and destructuring arrays here deoptimised the function that builds the
 * ClientHello again and again (V8 "wrong map"), each time a compilation of some 70-110 ms.
 */
const withFirst = (first: number | undefined, rest: ReadonlyArray<number>): Array<number> => {
  const all = first === undefined ? [] : [first]
  for (const value of rest) all.push(value)
  return all
}

const greaseExtension = (nibble: number): ClientHelloExtension => ({
  _tag: "Unknown",
  type: greaseValue(nibble),
  data: new Uint8Array(0),
})

/**
 * Draws the random values and key shares of a first ClientHello and builds it.
 *
 * @since 0.1.0
 */
export const makeOffer = (config: ClientConfig): Effect.Effect<Offer, Fatal, TlsCrypto> =>
  inlineGen(() => makeOfferSteps(config))

/** The steps of `makeOffer` (a generator made once: see inline.ts on generator closures). */
function* makeOfferSteps(config: ClientConfig) {
  const crypto = yield* TlsCrypto
  if (config.cipherSuites.length === 0 || config.groups.length === 0 || config.signatureSchemes.length === 0) {
    return yield* new Fatal({
      reason: FatalReason.Config({ detail: "no cipher suite, group or signature scheme to offer" }),
    })
  }
  const random = yield* crypto.randomBytes(32, { _tag: "ClientRandom" })
  const legacySessionId = config.middleboxCompatibility
    ? yield* crypto.randomBytes(32, { _tag: "LegacySessionId" })
    : new Uint8Array(0)
  const keyShares: Array<KeyShare> = []
  for (const group of config.keyShareGroups) keyShares.push(yield* crypto.generateKeyShare(group))
  // GREASE (RFC 8701): nibbles for the first extension, the version, the group and key share, and the suite.
  const nibbles = config.grease ? yield* crypto.randomBytes(4, { _tag: "Other", label: "grease" }) : undefined
  const greaseAt = (index: number) => (nibbles === undefined ? undefined : greaseValue(nibbles[index]! & 0x0f))
  const firstNibble = nibbles === undefined ? undefined : nibbles[0]! & 0x0f
  const greaseVersion = greaseAt(1)
  const greaseGroup = greaseAt(2)
  const extensions: Array<ClientHelloExtension> = []
  if (firstNibble !== undefined) extensions.push(greaseExtension(firstNibble))
  if (config.serverName !== undefined) extensions.push({ _tag: "ServerName", hostNames: [config.serverName] })
  const shares: Array<KeyShareEntry> =
    greaseGroup === undefined ? [] : [{ group: greaseGroup, keyExchange: Uint8Array.of(0) }]
  for (const share of keyShares) shares.push({ group: groupCode(share.group), keyExchange: share.publicKey })
  extensions.push(
    { _tag: "SupportedVersions", versions: withFirst(greaseVersion, [ProtocolVersion.TLSv1_3]) },
    { _tag: "SupportedGroups", groups: withFirst(greaseGroup, config.groups.map(groupCode)) },
    { _tag: "SignatureAlgorithms", schemes: config.signatureSchemes },
    { _tag: "KeyShareClientHello", shares },
  )
  if (config.alpn.length > 0) extensions.push({ _tag: "Alpn", protocols: config.alpn.map((p) => encoder.encode(p)) })
  if (config.recordSizeLimit !== undefined) extensions.push({ _tag: "RecordSizeLimit", limit: config.recordSizeLimit })
  // A second GREASE extension, last and non-empty, with a value different from the first.
  if (firstNibble !== undefined) {
    extensions.push({ _tag: "Unknown", type: greaseValue((firstNibble + 1) & 0x0f), data: Uint8Array.of(0) })
  }
  const hello = withPadding({
    _tag: "ClientHello",
    legacyVersion: ProtocolVersion.TLSv1_2,
    random,
    legacySessionId,
    cipherSuites: withFirst(greaseAt(3), config.cipherSuites),
    extensions,
  })
  return { hello, encoded: encodeHandshake(hello), keyShares }
}

/**
 * The offer behind an already-encoded first ClientHello (an advanced entry point, e.g. to
 * replay a recorded handshake): its key shares are generated through `TlsCrypto` (a testing
 * layer scripts their private keys) and must match the ClientHello's, else `Config` fails.
 *
 * @since 0.1.0
 */
export const offerFromEncoded = (hello: ClientHello, encoded: Uint8Array): Effect.Effect<Offer, Fatal, TlsCrypto> =>
  inlineGen(() => offerFromEncodedSteps(hello, encoded))

/** The steps of `offerFromEncoded` (a generator made once: see inline.ts on generator closures). */
function* offerFromEncodedSteps(hello: ClientHello, encoded: Uint8Array) {
  const crypto = yield* TlsCrypto
  const entries = hello.extensions.find((e) => e._tag === "KeyShareClientHello")?.shares ?? []
  const keyShares: Array<KeyShare> = []
  for (const entry of entries) {
    const group = groupOfCode(entry.group)
    if (group === undefined) continue
    const share = yield* crypto.generateKeyShare(group)
    if (
      share.publicKey.length !== entry.keyExchange.length ||
      !share.publicKey.every((b, i) => b === entry.keyExchange[i])
    ) {
      return yield* new Fatal({
        reason: FatalReason.Config({ detail: `the ${group} key share does not match the crypto layer's key` }),
      })
    }
    keyShares.push(share)
  }
  return { hello, encoded, keyShares }
}

const cookieBefore: ReadonlySet<number> = new Set([
  ExtensionType.psk_key_exchange_modes,
  ExtensionType.early_data,
  ExtensionType.record_size_limit,
  ExtensionType.padding,
  ExtensionType.pre_shared_key,
])

/**
 * The second ClientHello (RFC 8446 section 4.1.2): the first one with `share` as the only
 * key share (when the server asked for a group), the server's cookie, no early_data, and
 * the padding recomputed. Everything else, GREASE values included, stays the same.
 *
 * @since 0.1.0
 */
export const retryHello = (
  first: ClientHello,
  share: KeyShare | undefined,
  cookie: Uint8Array | undefined,
): ClientHello => {
  const extensions: Array<ClientHelloExtension> = first.extensions
    .filter((e) => e._tag !== "EarlyData" && e._tag !== "Cookie")
    .map((e) =>
      e._tag === "KeyShareClientHello" && share !== undefined
        ? { _tag: "KeyShareClientHello", shares: [{ group: groupCode(share.group), keyExchange: share.publicKey }] }
        : e,
    )
  if (cookie !== undefined) {
    const at = extensions.findIndex((e) => cookieBefore.has(extensionType(e)))
    extensions.splice(at < 0 ? extensions.length : at, 0, { _tag: "Cookie", cookie })
  }
  return withPadding({ ...first, extensions })
}
