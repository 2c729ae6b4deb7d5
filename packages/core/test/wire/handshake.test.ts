import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as fc from "fast-check"
import { AlertDescription, HandshakeType } from "../../src/wire/codes.js"
import {
  decodeHandshake,
  encodeHandshake,
  type Handshake,
  handshakeType,
  helloRetryRequestRandom,
} from "../../src/wire/handshake.js"
import type { DecodeError } from "../../src/wire/reader.js"
import { handshake } from "./arbitraries.js"
import { concat, fromHex, toHex } from "./hex.js"

const decodeRaw = (raw: Uint8Array) => decodeHandshake(raw[0]!, raw.subarray(4))

const errorOf = (result: Either.Either<unknown, DecodeError>): DecodeError => {
  if (Either.isRight(result)) throw new Error(`expected a DecodeError, got ${JSON.stringify(result.right)}`)
  return result.left
}

/** Messages whose body is raw bytes: any prefix or extension of it is another valid body. */
const opaqueBody = (message: Handshake) => message._tag === "Finished" || message._tag === "MessageHash"

/** A ClientHello extension block: supported_versions and renegotiation_info (12 bytes). */
const validExtensions = "000c002b0003020304ff01000100"

describe("handshake messages", () => {
  it.prop("property: every message round-trips", [handshake], ([message]) => {
    const raw = encodeHandshake(message)
    expect(raw[0]).toBe(handshakeType(message))
    expect((raw[1]! << 16) | (raw[2]! << 8) | raw[3]!).toBe(raw.length - 4)
    const decoded = decodeRaw(raw)
    expect(decoded).toEqual(Either.right(message))
    if (Either.isRight(decoded)) expect(toHex(encodeHandshake(decoded.right))).toBe(toHex(raw))
  })

  it.prop(
    "property: truncated bodies fail with decode_error",
    [handshake.filter((m) => !opaqueBody(m) && m._tag !== "EndOfEarlyData"), fc.nat()],
    ([message, cut]) => {
      const raw = encodeHandshake(message)
      const body = raw.subarray(4)
      const at = cut % body.length
      // A ServerHello cut just before its extensions block is a well-formed TLS 1.2 ServerHello
      // (the state machine answers protocol_version); every other cut must fail.
      if (message._tag === "ServerHello" && at === 2 + 32 + 1 + message.legacySessionIdEcho.length + 2 + 1) return
      expect(errorOf(decodeHandshake(raw[0]!, body.subarray(0, at))).alert).toBe(AlertDescription.decode_error)
    },
  )

  it.prop(
    "property: trailing bytes fail with decode_error",
    [handshake.filter((m) => !opaqueBody(m)), fc.uint8Array({ minLength: 1, maxLength: 4 })],
    ([message, extra]) => {
      const raw = encodeHandshake(message)
      expect(errorOf(decodeHandshake(raw[0]!, concat(raw.subarray(4), extra))).alert).toBe(
        AlertDescription.decode_error,
      )
    },
  )

  it.prop(
    "property: arbitrary bodies never throw",
    [fc.constantFrom(...Object.values(HandshakeType)), fc.uint8Array({ maxLength: 120 })],
    ([type, body]) => {
      expect(Either.isEither(decodeHandshake(type, body))).toBe(true)
    },
  )

  it("unknown handshake types are unexpected_message", () => {
    for (const type of [0, 3, 6, 12, 14, 16, 21, 22, 25, 67, 255]) {
      expect(errorOf(decodeHandshake(type, new Uint8Array(0))).alert).toBe(AlertDescription.unexpected_message)
    }
  })

  it('the HelloRetryRequest random is SHA-256("HelloRetryRequest") and marks an HRR', () => {
    expect(toHex(helloRetryRequestRandom)).toBe(createHash("sha256").update("HelloRetryRequest").digest("hex"))
    const body = concat(fromHex("0303"), helloRetryRequestRandom, fromHex("00130100000c002b00020304003300020017"))
    expect(decodeHandshake(HandshakeType.server_hello, body)).toEqual(
      Either.right({
        _tag: "HelloRetryRequest",
        legacyVersion: 0x0303,
        legacySessionIdEcho: new Uint8Array(0),
        cipherSuite: 0x1301,
        extensions: [
          { _tag: "SelectedVersion", version: 0x0304 },
          { _tag: "KeyShareHelloRetryRequest", selectedGroup: 0x17 },
        ],
      }),
    )
  })

  it("changing the exported HRR random changes nothing", () => {
    const hrr: Handshake = {
      _tag: "HelloRetryRequest",
      legacyVersion: 0x0303,
      legacySessionIdEcho: new Uint8Array(0),
      cipherSuite: 0x1301,
      extensions: [
        { _tag: "SelectedVersion", version: 0x0304 },
        { _tag: "KeyShareHelloRetryRequest", selectedGroup: 0x17 },
      ],
    }
    const before = toHex(encodeHandshake(hrr))
    const saved = helloRetryRequestRandom.slice()
    helloRetryRequestRandom.fill(0)
    try {
      expect(toHex(encodeHandshake(hrr))).toBe(before)
      expect(decodeRaw(encodeHandshake(hrr))).toEqual(Either.right(hrr))
    } finally {
      helloRetryRequestRandom.set(saved)
    }
  })

  it("a TLS 1.2 ServerHello (no extension block) decodes, for a protocol_version answer", () => {
    const body = concat(fromHex("0303"), new Uint8Array(32).fill(7), fromHex("00c02f00"))
    expect(decodeHandshake(HandshakeType.server_hello, body)).toEqual(
      Either.right({
        _tag: "ServerHello",
        legacyVersion: 0x0303,
        random: new Uint8Array(32).fill(7),
        legacySessionIdEcho: new Uint8Array(0),
        cipherSuite: 0xc02f,
        extensions: [],
      }),
    )
  })

  it("rejects compression (illegal_parameter)", () => {
    const sh = concat(fromHex("0303"), new Uint8Array(32), fromHex("0013010100"))
    expect(errorOf(decodeHandshake(HandshakeType.server_hello, sh)).alert).toBe(AlertDescription.illegal_parameter)
    const extensions = fromHex(validExtensions)
    for (const methods of ["0101", "020001"]) {
      const ch = concat(
        fromHex("0303"),
        new Uint8Array(32),
        fromHex(`00000213 01${methods}`.replace(/ /g, "")),
        extensions,
      )
      expect(errorOf(decodeHandshake(HandshakeType.client_hello, ch)).alert).toBe(AlertDescription.illegal_parameter)
    }
    const ok = concat(fromHex("0303"), new Uint8Array(32), fromHex("00000213010100"), extensions)
    expect(Either.isRight(decodeHandshake(HandshakeType.client_hello, ok))).toBe(true)
  })

  it("checks the RFC's vector bounds", () => {
    const random = "00".repeat(32)
    const cases: ReadonlyArray<readonly [number, string]> = [
      // legacy_session_id <0..32>
      [HandshakeType.client_hello, `0303${random}21${"00".repeat(33)}000213010100${validExtensions}`],
      // cipher_suites <2..2^16-2>
      [HandshakeType.client_hello, `0303${random}0000000100${validExtensions}`],
      // extensions <8..2^16-1>
      [HandshakeType.client_hello, `0303${random}00000213010100000400000000`],
      // CertificateRequest extensions <2..2^16-1>
      [HandshakeType.certificate_request, "000000"],
      // cert_data <1..2^24-1>
      [HandshakeType.certificate, "000000050000000000"],
      // ticket <1..2^16-1>
      [HandshakeType.new_session_ticket, "00000001000000020000000000"],
    ]
    const valid = `0303${random}00000213010100${validExtensions}`
    expect(Either.isRight(decodeHandshake(HandshakeType.client_hello, fromHex(valid)))).toBe(true)
    for (const [type, hex] of cases) {
      expect([type, errorOf(decodeHandshake(type, fromHex(hex))).alert]).toEqual([type, AlertDescription.decode_error])
    }
  })

  it("KeyUpdate request_update other than 0 or 1 is illegal_parameter", () => {
    expect(decodeHandshake(HandshakeType.key_update, fromHex("01"))).toEqual(
      Either.right({ _tag: "KeyUpdate", updateRequested: true }),
    )
    expect(errorOf(decodeHandshake(HandshakeType.key_update, fromHex("02"))).alert).toBe(
      AlertDescription.illegal_parameter,
    )
  })

  it("bounds the number of certificates (bad_certificate)", () => {
    const entry = fromHex("000001aa0000")
    const certificate = (count: number) =>
      concat(fromHex("00"), fromHex((count * entry.length).toString(16).padStart(6, "0")), ...Array(count).fill(entry))
    expect(Either.isRight(decodeHandshake(HandshakeType.certificate, certificate(10)))).toBe(true)
    expect(errorOf(decodeHandshake(HandshakeType.certificate, certificate(11))).alert).toBe(
      AlertDescription.bad_certificate,
    )
    expect(Either.isRight(decodeHandshake(HandshakeType.certificate, certificate(11), { maxCertificates: 11 }))).toBe(
      true,
    )
    expect(errorOf(decodeHandshake(HandshakeType.certificate, certificate(2), { maxCertificates: 1 })).alert).toBe(
      AlertDescription.bad_certificate,
    )
  })

  it("checks extensions against the message that carries them", () => {
    // supported_versions is not allowed in EncryptedExtensions.
    expect(errorOf(decodeHandshake(HandshakeType.encrypted_extensions, fromHex("0006002b00020304"))).alert).toBe(
      AlertDescription.illegal_parameter,
    )
    // key_share is not allowed in a NewSessionTicket.
    const nst = "0000000100000002000001aa000400330000"
    expect(errorOf(decodeHandshake(HandshakeType.new_session_ticket, fromHex(nst))).alert).toBe(
      AlertDescription.illegal_parameter,
    )
  })

  it("keeps Finished as the raw body (its length is the caller's check)", () => {
    const verifyData = new Uint8Array(48).fill(9)
    expect(decodeHandshake(HandshakeType.finished, verifyData)).toEqual(Either.right({ _tag: "Finished", verifyData }))
  })

  it("encodes message_hash as the synthetic transcript message", () => {
    const hash = new Uint8Array(32).fill(0xab)
    expect(toHex(encodeHandshake({ _tag: "MessageHash", hash }))).toBe(`fe000020${"ab".repeat(32)}`)
  })

  it("decoded byte fields are views of the input, not copies", () => {
    const raw = encodeHandshake({ _tag: "CertificateVerify", algorithm: 0x0804, signature: fromHex("0102") })
    const decoded = Either.getOrThrow(decodeRaw(raw))
    expect(decoded._tag === "CertificateVerify" && decoded.signature.buffer).toBe(raw.buffer)
  })
})
