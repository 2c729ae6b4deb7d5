import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import {
  CipherSuite,
  ExtensionType,
  NamedGroup,
  ProtocolVersion,
  PskKeyExchangeMode,
  SignatureScheme,
} from "../../src/wire/codes.js"
import { pskBindersLength } from "../../src/wire/extensions.js"
import { type ClientHello, decodeHandshake, encodeHandshake } from "../../src/wire/handshake.js"
import { DecodeError } from "../../src/wire/reader.js"
import { HandshakeReassembler } from "../../src/wire/reassembler.js"
import { Deframer } from "../../src/wire/record.js"
import { clientHello, clientHelloRecord, clientX25519PublicKey } from "../fixtures/rfc8448/client-hello.js"
import { resumedClientHelloPrefix, traceMessages } from "../fixtures/rfc8448/handshake-messages.js"
import { fromHex, toHex } from "./hex.js"

const clientHelloBytes = fromHex(clientHello)

/** RFC 8448 section 3's ClientHello, built from typed values. */
const typedClientHello: ClientHello = {
  _tag: "ClientHello",
  legacyVersion: ProtocolVersion.TLSv1_2,
  random: fromHex("cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7"),
  legacySessionId: new Uint8Array(0),
  cipherSuites: [
    CipherSuite.TLS_AES_128_GCM_SHA256,
    CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
    CipherSuite.TLS_AES_256_GCM_SHA384,
  ],
  extensions: [
    { _tag: "ServerName", hostNames: ["server"] },
    { _tag: "Unknown", type: ExtensionType.renegotiation_info, data: Uint8Array.of(0) },
    {
      _tag: "SupportedGroups",
      groups: [
        NamedGroup.x25519,
        NamedGroup.secp256r1,
        NamedGroup.secp384r1,
        NamedGroup.secp521r1,
        NamedGroup.ffdhe2048,
        NamedGroup.ffdhe3072,
        NamedGroup.ffdhe4096,
        NamedGroup.ffdhe6144,
        NamedGroup.ffdhe8192,
      ],
    },
    { _tag: "Unknown", type: ExtensionType.session_ticket, data: new Uint8Array(0) },
    {
      _tag: "KeyShareClientHello",
      shares: [{ group: NamedGroup.x25519, keyExchange: fromHex(clientX25519PublicKey) }],
    },
    { _tag: "SupportedVersions", versions: [ProtocolVersion.TLSv1_3] },
    {
      _tag: "SignatureAlgorithms",
      schemes: [
        SignatureScheme.ecdsa_secp256r1_sha256,
        SignatureScheme.ecdsa_secp384r1_sha384,
        SignatureScheme.ecdsa_secp521r1_sha512,
        SignatureScheme.ecdsa_sha1,
        SignatureScheme.rsa_pss_rsae_sha256,
        SignatureScheme.rsa_pss_rsae_sha384,
        SignatureScheme.rsa_pss_rsae_sha512,
        SignatureScheme.rsa_pkcs1_sha256,
        SignatureScheme.rsa_pkcs1_sha384,
        SignatureScheme.rsa_pkcs1_sha512,
        SignatureScheme.rsa_pkcs1_sha1,
        // dsa_sha256, dsa_sha384, dsa_sha512, dsa_sha1 (TLS 1.2 code points, not in our table)
        0x0402,
        0x0502,
        0x0602,
        0x0202,
      ],
    },
    { _tag: "PskKeyExchangeModes", modes: [PskKeyExchangeMode.psk_dhe_ke] },
    { _tag: "RecordSizeLimit", limit: 0x4001 },
  ],
}

describe("RFC 8448", () => {
  it("8448 section 3: the ClientHello bytes decode and re-encode identically", () => {
    const decoded = decodeHandshake(clientHelloBytes[0]!, clientHelloBytes.subarray(4))
    expect(decoded).toEqual(Either.right(typedClientHello))
    if (Either.isRight(decoded)) expect(toHex(encodeHandshake(decoded.right))).toBe(clientHello)
  })

  it("8448 section 3: the ClientHello built from typed values encodes to the RFC's bytes", () => {
    expect(toHex(encodeHandshake(typedClientHello))).toBe(clientHello)
  })

  it("8448 section 3: the ClientHello record goes through Deframer and HandshakeReassembler", () => {
    const deframer = new Deframer()
    deframer.push(fromHex(clientHelloRecord))
    const record = deframer.next()
    if (record === undefined || record instanceof DecodeError) throw new Error("expected a record")
    expect(record.version).toBe(ProtocolVersion.TLSv1_0)
    const reassembler = new HandshakeReassembler()
    reassembler.push(record.fragment)
    const message = reassembler.next()
    if (message === undefined || message instanceof DecodeError) throw new Error("expected a message")
    expect(toHex(message.raw)).toBe(clientHello)
    expect(decodeHandshake(message.type, message.body)).toEqual(Either.right(typedClientHello))
  })

  it("8448 sections 3-7: every handshake message decodes and re-encodes identically", () => {
    expect(traceMessages.length).toBe(40)
    for (const { section, sender, message, hex } of traceMessages) {
      const raw = fromHex(hex)
      const decoded = Either.getOrThrow(decodeHandshake(raw[0]!, raw.subarray(4)))
      // Section 5's first ServerHello carries the special random of a HelloRetryRequest.
      const isHrr = section === 5 && message === "ServerHello" && raw.length === 176
      expect([section, sender, decoded._tag]).toEqual([section, sender, isHrr ? "HelloRetryRequest" : message])
      expect([section, sender, message, toHex(encodeHandshake(decoded))]).toEqual([section, sender, message, hex])
    }
  })

  it("8448: typed views of the traces (HRR cookie, PSK, early_data, client auth)", () => {
    const decode = (section: number, message: string, index = 0) => {
      const found = traceMessages.filter((m) => m.section === section && m.message === message)[index]
      if (found === undefined) throw new Error(`no ${message} in section ${section}`)
      const raw = fromHex(found.hex)
      return Either.getOrThrow(decodeHandshake(raw[0]!, raw.subarray(4)))
    }
    const hrr = decode(5, "ServerHello")
    expect(hrr._tag === "HelloRetryRequest" && hrr.extensions.map((e) => e._tag)).toEqual([
      "KeyShareHelloRetryRequest",
      "Cookie",
      "SelectedVersion",
    ])
    const resumed = decode(4, "ClientHello")
    const psk = resumed._tag === "ClientHello" ? resumed.extensions[resumed.extensions.length - 1] : undefined
    if (psk?._tag !== "PreSharedKeyClientHello") throw new Error("expected pre_shared_key last")
    expect(psk.binders.map((b) => b.length)).toEqual([32])
    // The binder is computed over the ClientHello up to its binders list.
    const full = encodeHandshake(resumed)
    expect(toHex(full.subarray(0, full.length - pskBindersLength(psk)))).toBe(resumedClientHelloPrefix)
    const ticket = decode(3, "NewSessionTicket")
    expect(ticket._tag === "NewSessionTicket" && ticket.extensions).toEqual([
      { _tag: "EarlyDataMax", maxEarlyDataSize: 0x400 },
    ])
    const request = decode(6, "CertificateRequest")
    expect(request._tag === "CertificateRequest" && request.extensions.map((e) => e._tag)).toEqual([
      "SignatureAlgorithms",
    ])
    const certificate = decode(3, "Certificate")
    expect(certificate._tag === "Certificate" && certificate.entries.length).toBe(1)
  })
})
