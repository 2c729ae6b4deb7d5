/**
 * Fuzz target `certificate`: `parseCertificate` over the certificates of the x509-limbo
 * suite and the scripted server's (a few hundred distinct real-world shapes: every
 * extension the parser knows, odd names, odd times) mutated, and random bytes; a parsed
 * certificate then goes through what the client does with one (its key, names, identity
 * matching, the per-certificate profile checks in each role, name constraints and path
 * lengths with itself as issuer); and `decodePem` over mutated PEM text. Oracle: nothing throws;
 * failures are the documented tagged errors; the input is left unchanged.
 */
import { readFileSync } from "node:fs"
import { parseSpki } from "@effect-tls/crypto/keys"
import { Either } from "effect"
import * as fc from "fast-check"
import { isSelfIssued, parseCertificate } from "../../src/x509/certificate.js"
import { matchesServerIdentity, serverIdentityFromString } from "../../src/x509/hostname.js"
import { commonNames } from "../../src/x509/name.js"
import { checkNameConstraints } from "../../src/x509/nameConstraints.js"
import { checkPathLengths } from "../../src/x509/path.js"
import { decodePem } from "../../src/x509/pem.js"
import { defaultVerificationPolicy } from "../../src/x509/policy.js"
import { checkCertificate, type Role, signatureAlgorithmOf } from "../../src/x509/profile.js"
import { identity } from "../../test/server/identity.js"
import { decoderInput, sameBytes } from "../mutate.js"
import { assert, defineTarget, property } from "../target.js"

interface LimboFile {
  readonly testcases: ReadonlyArray<{
    readonly trusted_certs: ReadonlyArray<string>
    readonly untrusted_intermediates: ReadonlyArray<string>
    readonly peer_certificate: string
  }>
}

/** Every distinct PEM certificate of the limbo suite, as text. */
const limboPems = (): ReadonlyArray<string> => {
  const file = JSON.parse(
    readFileSync(new URL("../../test/fixtures/x509/limbo.json", import.meta.url), "utf8"),
  ) as LimboFile
  return [
    ...new Set(file.testcases.flatMap((c) => [...c.trusted_certs, ...c.untrusted_intermediates, c.peer_certificate])),
  ]
}

const roles: ReadonlyArray<Role> = ["leaf", "intermediate", "anchor"]
const now = Date.parse("2025-06-01T00:00:00Z")
const identities = ["example.com", "foo.example.com", "192.0.2.1", "::1"].map(serverIdentityFromString)

const checkDer = (der: Uint8Array): void => {
  const parsed = parseCertificate(der)
  if (Either.isLeft(parsed)) {
    assert(parsed.left._tag === "CertificateParseError", () => `parseCertificate failed with ${parsed.left._tag}`)
    return
  }
  const certificate = parsed.right
  isSelfIssued(certificate)
  commonNames(certificate.subject)
  commonNames(certificate.issuer)
  for (const id of identities) matchesServerIdentity(certificate, id)
  const key = parseSpki(certificate.spki)
  if (Either.isLeft(key)) {
    assert(
      ["MalformedKey", "UnsupportedAlgorithm"].includes(key.left._tag),
      () => `parseSpki failed with ${key.left._tag}`,
    )
  }
  for (const role of roles) checkCertificate(certificate, role, now, defaultVerificationPolicy)
  signatureAlgorithmOf(certificate, defaultVerificationPolicy)
  // The certificate under itself: its name constraints and path length applied to its own names.
  checkNameConstraints([certificate, certificate])
  checkPathLengths([certificate, certificate, certificate])
}

const latin1 = new TextDecoder("latin1")
const ascii = new TextEncoder()

/** The certificate property: inputs and their check. */
export const certificateProperty = () => {
  const pems = limboPems()
  const ders = pems.flatMap((pem) => {
    const blocks = decodePem(pem)
    return Either.isRight(blocks) ? blocks.right.map((block) => block.der) : []
  })
  ders.push(identity("ed25519").certificate, identity("p256").certificate)
  const der = decoderInput(fc.constantFrom(...ders), 512).map((bytes) => ({ kind: "der" as const, bytes }))
  const pemText = fc
    .array(fc.constantFrom(...pems), { minLength: 1, maxLength: 2 })
    .map((list) => ascii.encode(list.join("\n")))
  const pem = decoderInput(pemText, 512).map((bytes) => ({ kind: "pem" as const, bytes }))
  return property(
    fc.oneof({ weight: 4, arbitrary: der }, { weight: 1, arbitrary: pem }),
    (input: { readonly kind: "der" | "pem"; readonly bytes: Uint8Array }) => {
      const copy = input.bytes.slice()
      if (input.kind === "der") checkDer(input.bytes)
      else {
        const blocks = decodePem(latin1.decode(input.bytes))
        if (Either.isLeft(blocks))
          assert(blocks.left._tag === "PemError", () => `decodePem failed with ${blocks.left._tag}`)
        else for (const block of blocks.right) assert(block.der.length > 0, () => "an empty PEM block decoded")
      }
      assert(sameBytes(input.bytes, copy), () => "the parser changed its input")
    },
  )
}

/** The certificate target. */
export const certificateTarget = defineTarget(
  "certificate",
  "parseCertificate and what the client does with a parsed one; decodePem",
  certificateProperty,
)
