import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as fc from "fast-check"
import { AlertDescription, ExtensionType, greaseValue, isGrease } from "../../src/wire/codes.js"
import {
  checkOffered,
  decodeExtensions,
  type Extension,
  type ExtensionContext,
  encodeExtensions,
  extensionType,
  pskBindersLength,
} from "../../src/wire/extensions.js"
import { encodeHandshake } from "../../src/wire/handshake.js"
import type { DecodeError } from "../../src/wire/reader.js"
import { anyContextBlock, extensionsIn, recognizedTypes } from "./arbitraries.js"
import { concat, fromHex, toHex } from "./hex.js"

const contexts: ReadonlyArray<ExtensionContext> = [
  "ClientHello",
  "ServerHello",
  "HelloRetryRequest",
  "EncryptedExtensions",
  "CertificateRequest",
  "Certificate",
  "NewSessionTicket",
]

/** An extension block holding raw (type, data) entries. */
const block = (...entries: ReadonlyArray<readonly [number, string]>): Uint8Array => {
  const body = concat(
    ...entries.map(([type, data]) => concat(fromHex(`${hex16(type)}${hex16(data.length / 2)}`), fromHex(data))),
  )
  return concat(fromHex(hex16(body.length)), body)
}
const hex16 = (n: number) => n.toString(16).padStart(4, "0")

const errorOf = (result: Either.Either<unknown, DecodeError>): DecodeError => {
  if (Either.isRight(result)) throw new Error(`expected a DecodeError, got ${JSON.stringify(result.right)}`)
  return result.left
}
const alertOf = (bytes: Uint8Array, context: ExtensionContext): number =>
  errorOf(decodeExtensions(bytes, context)).alert

/** RFC 8446 section 4.2's table (plus RFC 8449), for the types this codec recognizes. */
const rfcTable: ReadonlyArray<readonly [number, ReadonlyArray<ExtensionContext>]> = [
  [ExtensionType.server_name, ["ClientHello", "EncryptedExtensions"]],
  [ExtensionType.status_request, ["ClientHello", "CertificateRequest", "Certificate"]],
  [ExtensionType.supported_groups, ["ClientHello", "EncryptedExtensions"]],
  [ExtensionType.signature_algorithms, ["ClientHello", "CertificateRequest"]],
  [ExtensionType.application_layer_protocol_negotiation, ["ClientHello", "EncryptedExtensions"]],
  [ExtensionType.signed_certificate_timestamp, ["ClientHello", "CertificateRequest", "Certificate"]],
  [ExtensionType.padding, ["ClientHello"]],
  [ExtensionType.record_size_limit, ["ClientHello", "EncryptedExtensions"]],
  [ExtensionType.key_share, ["ClientHello", "ServerHello", "HelloRetryRequest"]],
  [ExtensionType.pre_shared_key, ["ClientHello", "ServerHello"]],
  [ExtensionType.psk_key_exchange_modes, ["ClientHello"]],
  [ExtensionType.early_data, ["ClientHello", "EncryptedExtensions", "NewSessionTicket"]],
  [ExtensionType.cookie, ["ClientHello", "HelloRetryRequest"]],
  [ExtensionType.supported_versions, ["ClientHello", "ServerHello", "HelloRetryRequest"]],
  [ExtensionType.certificate_authorities, ["ClientHello", "CertificateRequest"]],
  [ExtensionType.oid_filters, ["CertificateRequest"]],
  [ExtensionType.post_handshake_auth, ["ClientHello"]],
  [ExtensionType.signature_algorithms_cert, ["ClientHello", "CertificateRequest"]],
  // TLS 1.2-only: a client may offer them; no TLS 1.3 server message carries them.
  [ExtensionType.ec_point_formats, ["ClientHello"]],
  [ExtensionType.encrypt_then_mac, ["ClientHello"]],
  [ExtensionType.extended_master_secret, ["ClientHello"]],
  [ExtensionType.session_ticket, ["ClientHello"]],
  [ExtensionType.renegotiation_info, ["ClientHello"]],
]

describe("extensions", () => {
  it.prop(
    "property: every extension block round-trips in its context",
    [anyContextBlock],
    ([{ context, extensions }]) => {
      const bytes = encodeExtensions(extensions)
      const decoded = decodeExtensions(bytes, context)
      expect(decoded).toEqual(Either.right(extensions))
      if (Either.isRight(decoded)) expect(toHex(encodeExtensions(decoded.right))).toBe(toHex(bytes))
    },
  )

  it.prop(
    "property: truncated or extended blocks fail with decode_error",
    [anyContextBlock, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 })],
    ([{ context, extensions }, cut, extra]) => {
      const bytes = encodeExtensions(extensions)
      expect(alertOf(bytes.subarray(0, cut % bytes.length), context)).toBe(AlertDescription.decode_error)
      expect(alertOf(concat(bytes, extra), context)).toBe(AlertDescription.decode_error)
    },
  )

  it.prop(
    "property: a duplicated extension is illegal_parameter",
    [anyContextBlock.filter(({ extensions }) => extensions.length > 0), fc.nat()],
    ([{ context, extensions }, pick]) => {
      const twice = extensions[pick % extensions.length]!
      const bytes = encodeExtensions([twice, ...extensions])
      const error = errorOf(decodeExtensions(bytes, context))
      expect(error.alert).toBe(AlertDescription.illegal_parameter)
      expect(error.detail).toMatch(/duplicate/)
    },
  )

  it.prop(
    "property: arbitrary bytes never throw",
    [fc.constantFrom(...contexts), fc.uint8Array({ maxLength: 80 })],
    ([context, bytes]) => {
      expect(Either.isEither(decodeExtensions(bytes, context))).toBe(true)
      expect(Either.isEither(decodeExtensions(concat(fromHex(hex16(bytes.length)), bytes), context))).toBe(true)
    },
  )

  it("every recognized type is in the table, and the table is RFC 8446 section 4.2's", () => {
    expect(new Set(rfcTable.map(([type]) => type))).toEqual(recognizedTypes)
    for (const [type, allowed] of rfcTable) {
      for (const context of contexts.filter((c) => !allowed.includes(c))) {
        // Even with a well-formed body, the extension is illegal in that message.
        const bytes =
          context === "ServerHello" ? block([ExtensionType.supported_versions, "0304"], [type, ""]) : block([type, ""])
        const error = errorOf(decodeExtensions(bytes, context))
        expect([type, context, error.alert]).toEqual([type, context, AlertDescription.illegal_parameter])
        expect(error.detail).toMatch(/not allowed/)
      }
    }
  })

  it("keeps GREASE and unassigned extensions as Unknown in every message", () => {
    for (const context of contexts) {
      const bytes = block([greaseValue(3), "00"], [0xfe0d, "abcdef"])
      const decoded = decodeExtensions(bytes, context)
      expect(decoded).toEqual(
        Either.right([
          { _tag: "Unknown", type: 0x3a3a, data: fromHex("00") },
          { _tag: "Unknown", type: 0xfe0d, data: fromHex("abcdef") },
        ]),
      )
    }
  })

  it("decodes the same code point by context", () => {
    const keyShare = (context: ExtensionContext, data: string) =>
      Either.getOrThrow(decodeExtensions(block([ExtensionType.key_share, data]), context))[0]
    expect(keyShare("ClientHello", "0006001d00021234")).toEqual({
      _tag: "KeyShareClientHello",
      shares: [{ group: 0x1d, keyExchange: fromHex("1234") }],
    })
    expect(keyShare("HelloRetryRequest", "0017")).toEqual({ _tag: "KeyShareHelloRetryRequest", selectedGroup: 0x17 })
    const early = (context: ExtensionContext, data: string) =>
      Either.getOrThrow(decodeExtensions(block([ExtensionType.early_data, data]), context))[0]
    expect(early("EncryptedExtensions", "")).toEqual({ _tag: "EarlyData" })
    expect(early("NewSessionTicket", "00004000")).toEqual({ _tag: "EarlyDataMax", maxEarlyDataSize: 0x4000 })
  })

  it("a ServerHello without supported_versions keeps its extensions Unknown (not TLS 1.3)", () => {
    const bytes = block([ExtensionType.renegotiation_info, "00"], [ExtensionType.key_share, "001d"])
    expect(decodeExtensions(bytes, "ServerHello")).toEqual(
      Either.right([
        { _tag: "Unknown", type: ExtensionType.renegotiation_info, data: fromHex("00") },
        { _tag: "Unknown", type: ExtensionType.key_share, data: fromHex("001d") },
      ]),
    )
    // With supported_versions, the TLS 1.3 table applies.
    const tls13 = block([ExtensionType.supported_versions, "0304"], [ExtensionType.renegotiation_info, "00"])
    expect(alertOf(tls13, "ServerHello")).toBe(AlertDescription.illegal_parameter)
  })

  it("record_size_limit below 64 is illegal_parameter", () => {
    expect(alertOf(block([ExtensionType.record_size_limit, "003f"]), "EncryptedExtensions")).toBe(
      AlertDescription.illegal_parameter,
    )
    expect(decodeExtensions(block([ExtensionType.record_size_limit, "0040"]), "EncryptedExtensions")).toEqual(
      Either.right([{ _tag: "RecordSizeLimit", limit: 64 }]),
    )
    expect(alertOf(block([ExtensionType.record_size_limit, "004000"]), "ClientHello")).toBe(
      AlertDescription.decode_error,
    )
  })

  it("ALPN from the server names exactly one protocol", () => {
    const two = block([ExtensionType.application_layer_protocol_negotiation, "0006026832026831"])
    expect(alertOf(two, "EncryptedExtensions")).toBe(AlertDescription.illegal_parameter)
    expect(Either.isRight(decodeExtensions(two, "ClientHello"))).toBe(true)
    const empty = block([ExtensionType.application_layer_protocol_negotiation, "000100"])
    expect(alertOf(empty, "ClientHello")).toBe(AlertDescription.decode_error)
  })

  it("server_name: one ASCII host name in a ClientHello, empty from the server", () => {
    expect(decodeExtensions(block([ExtensionType.server_name, "0004000001" + "61"]), "ClientHello")).toEqual(
      Either.right([{ _tag: "ServerName", hostNames: ["a"] }]),
    )
    expect(alertOf(block([ExtensionType.server_name, "00080000016100000162"]), "ClientHello")).toBe(
      AlertDescription.illegal_parameter,
    )
    expect(alertOf(block([ExtensionType.server_name, "0004000001ff"]), "ClientHello")).toBe(
      AlertDescription.decode_error,
    )
    expect(alertOf(block([ExtensionType.server_name, "0004010001" + "61"]), "ClientHello")).toBe(
      AlertDescription.decode_error,
    )
    expect(alertOf(block([ExtensionType.server_name, "0000"]), "EncryptedExtensions")).toBe(
      AlertDescription.decode_error,
    )
  })

  it("padding must be zeros", () => {
    expect(alertOf(block([ExtensionType.padding, "0001"]), "ClientHello")).toBe(AlertDescription.illegal_parameter)
    expect(decodeExtensions(block([ExtensionType.padding, "0000"]), "ClientHello")).toEqual(
      Either.right([{ _tag: "Padding", length: 2 }]),
    )
  })

  it("pre_shared_key must be the last extension of a ClientHello", () => {
    const psk = `00070001aa00000000002120${"00".repeat(32)}`
    const last = block([ExtensionType.supported_versions, "020304"], [ExtensionType.pre_shared_key, psk])
    expect(Either.isRight(decodeExtensions(last, "ClientHello"))).toBe(true)
    const first = block([ExtensionType.pre_shared_key, psk], [ExtensionType.supported_versions, "020304"])
    const error = errorOf(decodeExtensions(first, "ClientHello"))
    expect(error.alert).toBe(AlertDescription.illegal_parameter)
    expect(error.detail).toMatch(/last/)
  })

  it("rejects bodies outside their vector bounds or with trailing bytes", () => {
    const cases: ReadonlyArray<readonly [ExtensionContext, number, string]> = [
      ["ClientHello", ExtensionType.supported_groups, "0000"],
      ["ClientHello", ExtensionType.supported_groups, "0003001d00"],
      ["ClientHello", ExtensionType.supported_versions, "00"],
      ["ClientHello", ExtensionType.psk_key_exchange_modes, "00"],
      ["ClientHello", ExtensionType.cookie, "0000"],
      ["ClientHello", ExtensionType.key_share, "0004001d0000"],
      ["ClientHello", ExtensionType.pre_shared_key, `0006000001aa00000021${"00".repeat(33)}`],
      ["ClientHello", ExtensionType.pre_shared_key, `00070001aa00000000001f1f${"00".repeat(31)}`],
      ["ServerHello", ExtensionType.key_share, "001d0000"],
      ["ServerHello", ExtensionType.pre_shared_key, "000000"],
      ["EncryptedExtensions", ExtensionType.early_data, "00"],
      ["ClientHello", ExtensionType.post_handshake_auth, "00"],
      ["CertificateRequest", ExtensionType.certificate_authorities, "0002aabb"],
      ["Certificate", ExtensionType.status_request, "01000000"],
      ["NewSessionTicket", ExtensionType.early_data, "000040"],
    ]
    for (const [context, type, data] of cases) {
      const bytes =
        context === "ServerHello"
          ? block([ExtensionType.supported_versions, "0304"], [type, data])
          : block([type, data])
      expect([context, type, data, alertOf(bytes, context)]).toEqual([
        context,
        type,
        data,
        AlertDescription.decode_error,
      ])
    }
  })

  it("keeps a status_request of another status type as Unknown", () => {
    const bytes = block([ExtensionType.status_request, "02abcd"])
    const decoded = decodeExtensions(bytes, "ClientHello")
    expect(decoded).toEqual(Either.right([{ _tag: "Unknown", type: 5, data: fromHex("02abcd") }]))
    expect(toHex(encodeExtensions(Either.getOrThrow(decoded)))).toBe(toHex(bytes))
  })

  it("extensionType gives each shape its code point", () => {
    expect(extensionType({ _tag: "SelectedVersion", version: 0x0304 })).toBe(43)
    expect(extensionType({ _tag: "CertificateStatus", response: fromHex("00") })).toBe(5)
    expect(extensionType({ _tag: "Unknown", type: 0xfafa, data: new Uint8Array(0) })).toBe(0xfafa)
  })
})

describe("checkOffered", () => {
  const received: ReadonlyArray<Extension> = [
    { _tag: "SelectedVersion", version: 0x0304 },
    { _tag: "KeyShareServerHello", share: { group: 0x1d, keyExchange: fromHex("01") } },
  ]

  it("accepts answers to what was offered", () => {
    expect(checkOffered(received, new Set([43, 51, 0]), "ServerHello")).toEqual(Either.void)
  })

  it("rejects an unsolicited extension with unsupported_extension", () => {
    const error = errorOf(checkOffered(received, new Set([43]), "ServerHello"))
    expect(error.alert).toBe(AlertDescription.unsupported_extension)
    expect(error.detail).toMatch(/key_share/)
  })

  it("lets a HelloRetryRequest send a cookie unasked, and nothing else", () => {
    const cookie: Extension = { _tag: "Cookie", cookie: fromHex("aa") }
    expect(checkOffered([cookie], new Set(), "HelloRetryRequest")).toEqual(Either.void)
    expect(Either.isLeft(checkOffered([cookie], new Set(), "EncryptedExtensions"))).toBe(true)
  })

  it("refuses a GREASE type even when we offered it (RFC 8701 section 3)", () => {
    const grease: Extension = { _tag: "Unknown", type: greaseValue(1), data: new Uint8Array(0) }
    const error = errorOf(checkOffered([grease], new Set([greaseValue(1)]), "EncryptedExtensions"))
    expect(error.alert).toBe(AlertDescription.unsupported_extension)
  })

  it.prop(
    "property: a server block without GREASE types passes exactly when its types were offered",
    [
      extensionsIn("EncryptedExtensions", 1).filter((extensions) => !extensions.map(extensionType).some(isGrease)),
      fc.nat(),
    ],
    ([extensions, drop]) => {
      const types = extensions.map(extensionType)
      expect(checkOffered(extensions, new Set(types), "EncryptedExtensions")).toEqual(Either.void)
      const missing = types[drop % types.length]!
      const offered = new Set(types.filter((type) => type !== missing))
      expect(errorOf(checkOffered(extensions, offered, "EncryptedExtensions")).alert).toBe(
        AlertDescription.unsupported_extension,
      )
    },
  )
})

describe("pskBindersLength", () => {
  it("is the size of the binders list that ends an encoded ClientHello", () => {
    const binders = [new Uint8Array(32).fill(1), new Uint8Array(48).fill(2)]
    const psk = {
      _tag: "PreSharedKeyClientHello" as const,
      identities: [
        { identity: fromHex("aa"), obfuscatedTicketAge: 1 },
        { identity: fromHex("bb"), obfuscatedTicketAge: 2 },
      ],
      binders,
    }
    const hello = encodeHandshake({
      _tag: "ClientHello",
      legacyVersion: 0x0303,
      random: new Uint8Array(32),
      legacySessionId: new Uint8Array(0),
      cipherSuites: [0x1301],
      extensions: [{ _tag: "SupportedVersions", versions: [0x0304] }, psk],
    })
    const length = pskBindersLength(psk)
    expect(length).toBe(2 + 33 + 49)
    const tail = hello.subarray(hello.length - length)
    expect(toHex(tail)).toBe(`005220${"01".repeat(32)}30${"02".repeat(48)}`)
  })
})
