import { describe, expect, it } from "@effect/vitest"
import {
  DerTag,
  decodeDer,
  derBitString,
  derElement,
  derOctetString,
  derOid,
  derSequence,
} from "@effect-tls/crypto/der"
import { Either } from "effect"
import * as fc from "fast-check"
import { type Certificate, decodePem, parseCertificate } from "../../src/x509/index.js"
import { readName } from "../../src/x509/name.js"
import { loadLimbo } from "./limboCases.js"

const concat = (...parts: ReadonlyArray<Uint8Array>) => new Uint8Array(Buffer.concat(parts))
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex")
const pemToDer = (pem: string) => Either.getOrThrow(decodePem(pem)).map((block) => block.der)

const limbo = loadLimbo()
/** Every certificate of the limbo suite: well-formed ones and deliberately broken ones. */
const corpus: ReadonlyArray<Uint8Array> = limbo.flatMap((testCase) =>
  [testCase.peer_certificate, ...testCase.untrusted_intermediates, ...testCase.trusted_certs].flatMap(pemToDer),
)
const parsedCorpus = corpus.filter((der) => Either.isRight(parseCertificate(der)))

const derBoolean = (value: boolean) => Uint8Array.of(DerTag.Boolean, 1, value ? 0xff : 0)

/** The Name re-encoded from its parsed RDNs. */
const encodeName = (certificate: Certificate["subject"]) =>
  derSequence(
    ...certificate.rdns.map((rdn) =>
      derElement(
        DerTag.Set,
        concat(...rdn.map((attribute) => derSequence(derOid(attribute.type), attribute.valueDer))),
      ),
    ),
  )

/** Checks that the parsed fields re-encode to the bytes they came from. */
const expectReencodes = (der: Uint8Array, certificate: Certificate) => {
  // Compared as hex: element-wise equality of large byte arrays is slow.
  const whole = derSequence(certificate.tbs, certificate.signatureAlgorithm.der, derBitString(certificate.signature))
  expect(hex(whole)).toBe(hex(der))
  expect(hex(encodeName(certificate.subject))).toBe(hex(certificate.subject.der))
  expect(hex(encodeName(certificate.issuer))).toBe(hex(certificate.issuer.der))
  for (const extension of certificate.extensions.all) {
    const encodings = [
      derSequence(
        derOid(extension.oid),
        ...(extension.critical ? [derBoolean(true)] : []),
        derOctetString(extension.value),
      ),
      derSequence(derOid(extension.oid), derBoolean(extension.critical), derOctetString(extension.value)),
    ].map(hex)
    expect(encodings).toContain(hex(extension.der))
  }
}

describe("parseCertificate", () => {
  it("decodes the fields of a real certificate (cryptography.io, 2023)", () => {
    const testCase = limbo.find((c) => c.id === "webpki::cryptographydotio-chain")!
    const certificate = Either.getOrThrow(parseCertificate(pemToDer(testCase.peer_certificate)[0]!))
    expect(certificate.version).toBe(3)
    expect(hex(certificate.serial)).toBe("0428eb811d53107202925369403ce3d4fa8f")
    expect(certificate.signatureAlgorithm.algorithm).toEqual({ _tag: "RsaPkcs1", hash: "SHA-256" })
    expect(certificate.issuer.text).toBe("CN=R3,O=Let's Encrypt,C=US")
    expect(certificate.subject.text).toBe("CN=cryptography.io")
    expect(certificate.notBefore.toISOString()).toBe("2023-05-29T18:44:00.000Z")
    expect(certificate.notAfter.toISOString()).toBe("2023-08-27T18:43:59.000Z")
    const extensions = certificate.extensions
    expect(extensions.keyUsage).toEqual({ critical: true, value: ["digitalSignature", "keyEncipherment"] })
    expect(extensions.extendedKeyUsage?.value).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"])
    expect(extensions.basicConstraints).toEqual({ critical: true, value: { ca: false, pathLength: undefined } })
    expect(hex(extensions.subjectKeyIdentifier!.value)).toBe("3ad1971ece9f2e83101308e5c12bbcf2be2a2dfd")
    expect(extensions.authorityKeyIdentifier?.value.keyIdentifier).toHaveLength(20)
    expect(extensions.subjectAltName?.value).toEqual([{ _tag: "Dns", name: "cryptography.io" }])
    expect(extensions.authorityInfoAccess?.value.map((access) => access.location)).toEqual([
      { _tag: "Uri", uri: "http://r3.o.lencr.org" },
      { _tag: "Uri", uri: "http://r3.i.lencr.org/" },
    ])
    expect(extensions.all).toHaveLength(9)
    expect(extensions.unknownCritical).toEqual([])
    expectReencodes(certificate.der, certificate)
  })

  it("parses most of the limbo suite and refuses its malformed certificates with a typed error", () => {
    expect(corpus.length).toBeGreaterThan(400)
    expect(parsedCorpus.length).toBeGreaterThan(corpus.length - 20)
    const malformed = limbo.find((c) => c.id === "rfc5280::duplicate-extensions")!
    const result = parseCertificate(pemToDer(malformed.peer_certificate)[0]!)
    expect(Either.isLeft(result) && result.left._tag).toBe("CertificateParseError")
  })

  it("refuses trailing bytes, a second certificate and an empty input", () => {
    const der = parsedCorpus[0]!
    for (const bad of [concat(der, Uint8Array.of(0)), concat(der, der), new Uint8Array(0)]) {
      expect(Either.isLeft(parseCertificate(bad))).toBe(true)
    }
  })

  it("prints names as RFC 4514 strings, escaping what needs escaping", () => {
    const attribute = (oid: string, tag: number, text: string) =>
      derElement(DerTag.Set, derSequence(derOid(oid), derElement(tag, new TextEncoder().encode(text))))
    const name = derSequence(
      attribute("2.5.4.6", DerTag.PrintableString, "US"),
      attribute("2.5.4.10", DerTag.Utf8String, 'Acme, "Inc" + Co; <x>'),
      attribute("2.5.4.7", DerTag.Utf8String, " lead"),
      attribute("2.5.4.3", DerTag.Utf8String, "#lead and trail "),
      attribute("1.2.840.113549.1.9.1", DerTag.Ia5String, "a@b.test"),
      derElement(DerTag.Set, derSequence(derOid("2.5.4.5"), derOctetString(Uint8Array.of(1, 2)))),
    )
    const parsed = Either.getOrThrow(decodeDer(name, readName))
    expect(parsed.text).toBe(
      '2.5.4.5=#04020102,1.2.840.113549.1.9.1=a@b.test,CN=\\#lead and trail\\ ,L=\\ lead,O=Acme\\, \\"Inc\\" \\+ Co\\; \\<x\\>,C=US',
    )
    expect(parsed.der).toEqual(name)
    const badUtf8 = derSequence(
      derElement(DerTag.Set, derSequence(derOid("2.5.4.3"), derElement(DerTag.Utf8String, Uint8Array.of(0xc3)))),
    )
    expect(Either.isLeft(decodeDer(badUtf8, readName))).toBe(true)
  })

  it.prop(
    "property: never throws on mutated certificates, and what parses re-encodes to its bytes",
    [
      fc.integer({ min: 0, max: parsedCorpus.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      fc.option(fc.nat(), { nil: undefined }),
    ],
    ([index, edits, cut]) => {
      const der = parsedCorpus[index]!.slice()
      for (const [position, value] of edits) der[position % der.length] = value
      const input = cut === undefined ? der : der.subarray(0, cut % der.length)
      const result = parseCertificate(input)
      if (Either.isRight(result)) expectReencodes(input, result.right)
      else expect(result.left._tag).toBe("CertificateParseError")
    },
    { timeout: 60_000, fastCheck: { numRuns: 2000 } },
  )

  it.prop(
    "property: never throws on random bytes behind a plausible header",
    [
      fc.uint8Array({ maxLength: 600 }),
      fc.constantFrom(Uint8Array.of(0x30, 0x82), Uint8Array.of(0x30, 0x81), Uint8Array.of(0x30)),
    ],
    ([body, header]) => {
      const result = parseCertificate(concat(header, body))
      expect(Either.isLeft(result)).toBe(true)
    },
  )

  it("re-encodes every certificate of the suite that parses", () => {
    for (const der of parsedCorpus) expectReencodes(der, Either.getOrThrow(parseCertificate(der)))
  }, 60_000)
})
