/**
 * `verifyServerChain` on chains made here by `openssl`: valid paths (through
 * intermediates, in any order, with each signature algorithm we verify) and one chain
 * for each failure code that a chain can produce.
 */

import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { NobleCrypto, type TlsCrypto } from "@effect-tls/crypto"
import { NodeCrypto } from "@effect-tls/crypto/node"
import { Effect, Either, type Layer, TestClock } from "effect"
import { alertToSend, type CertificateErrorCode, type Fatal } from "../../src/errors.js"
import { AlertDescription } from "../../src/wire/codes.js"
import {
  type ServerIdentity,
  serverIdentityFromString,
  type TrustAnchor,
  trustAnchorFromCertificate,
  type VerificationPolicy,
  verifyServerChain,
} from "../../src/x509/index.js"
import { type CertificateSpec, caExtensions, type Issued, Pki, serverExtensions } from "./openssl.js"

const DAY = 24 * 60 * 60 * 1000
/** Per-test timeout: verification is fast, but CI machines may be busy. */
const TIMEOUT = 30_000

interface Run {
  readonly chain: ReadonlyArray<Issued | Uint8Array>
  readonly anchors: ReadonlyArray<Issued>
  readonly serverName?: string
  readonly policy?: Partial<VerificationPolicy>
  /** Offset from the real time at which the chain is verified. */
  readonly after?: number
  readonly layer?: Layer.Layer<TlsCrypto>
}

const anchorOf = (issued: Issued): TrustAnchor => Either.getOrThrow(trustAnchorFromCertificate(issued.der))

const verify = (run: Run) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.now() + (run.after ?? 0))
    const serverName: ServerIdentity | undefined =
      run.serverName === undefined ? undefined : serverIdentityFromString(run.serverName)
    return yield* verifyServerChain({
      chain: run.chain.map((item) => (item instanceof Uint8Array ? item : item.der)),
      anchors: run.anchors.map(anchorOf),
      serverName,
      policy: run.policy,
    })
  }).pipe(Effect.provide(run.layer ?? NobleCrypto))

/** The certificate failure of `run`: its code and the subject it names. */
const failure = (run: Run) =>
  Effect.map(Effect.either(verify(run)), (result) => {
    if (Either.isRight(result)) {
      throw new Error(`verified: ${result.right.path.map((certificate) => certificate.subject.text).join(" <- ")}`)
    }
    const fatal: Fatal = result.left
    if (fatal.reason._tag !== "Certificate") throw new Error(`not a certificate failure: ${fatal.message}`)
    return { code: fatal.reason.code, subject: fatal.reason.subject, fatal }
  })

/** A server certificate spec with no common name, for the test `name`, valid for www.example.test and 127.0.0.1. */
const server = (name: string, spec: Partial<CertificateSpec> = {}): CertificateSpec => ({
  subject: `/O=effect-tls tests/OU=${name}`,
  extensions: serverExtensions("DNS:www.example.test", "DNS:*.api.example.test", "IP:127.0.0.1", "IP:::1"),
  ...spec,
})

const subjectOf = (name: string) => `OU=${name},O=effect-tls tests`

const pki = new Pki()
const certs: Record<string, Issued> = {}

beforeAll(() => {
  const add = (issued: Issued) => {
    certs[issued.name] = issued
    return issued
  }
  const root = add(pki.selfSigned("root", { extensions: caExtensions }))
  const intermediate = add(pki.issue("intermediate", root, { key: "p384", extensions: caExtensions }))
  add(pki.issue("leaf", intermediate, server("leaf", { signing: ["-sha384"], days: 30 })))
  add(pki.selfSigned("other-root", { extensions: caExtensions }))

  const rsaRoot = add(pki.selfSigned("rsa-root", { key: "rsa2048", extensions: caExtensions }))
  add(pki.issue("pkcs1-leaf", rsaRoot, server("pkcs1-leaf")))
  const pss = ["-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"]
  add(pki.issue("pss-leaf", rsaRoot, server("pss-leaf", { signing: pss })))
  const edRoot = add(pki.selfSigned("ed-root", { key: "ed25519", extensions: caExtensions }))
  add(pki.issue("ed-leaf", edRoot, server("ed-leaf", { key: "ed25519" })))

  add(pki.selfSigned("self-signed-leaf", server("self-signed-leaf")))
  const notCa = add(
    pki.issue("not-ca", root, {
      extensions: [
        "basicConstraints = critical,CA:FALSE",
        "keyUsage = critical,keyCertSign",
        "subjectKeyIdentifier = hash",
      ],
    }),
  )
  add(pki.issue("under-not-ca", notCa, server("under-not-ca")))
  const pathLenRoot = add(
    pki.selfSigned("pathlen-root", {
      extensions: ["basicConstraints = critical,CA:TRUE,pathlen:0", ...caExtensions.slice(1)],
    }),
  )
  const pathLenIntermediate = add(pki.issue("pathlen-intermediate", pathLenRoot, { extensions: caExtensions }))
  add(pki.issue("under-pathlen", pathLenIntermediate, server("under-pathlen")))

  const constrained = add(
    pki.issue("constrained", root, {
      extensions: [
        ...caExtensions,
        "nameConstraints = critical,permitted;DNS:allowed.test,permitted;IP:127.0.0.0/255.0.0.0,excluded;IP:127.0.0.2/255.255.255.255",
      ],
    }),
  )
  add(
    pki.issue(
      "nc-inside",
      constrained,
      server("nc-inside", { extensions: serverExtensions("DNS:www.allowed.test", "IP:127.0.0.1") }),
    ),
  )
  add(
    pki.issue(
      "nc-outside",
      constrained,
      server("nc-outside", { extensions: serverExtensions("DNS:www.example.test") }),
    ),
  )
  add(
    pki.issue(
      "nc-excluded-ip",
      constrained,
      server("nc-excluded-ip", { extensions: serverExtensions("IP:127.0.0.2") }),
    ),
  )
  const excludesBar = add(
    pki.issue("excludes-bar", root, {
      extensions: [...caExtensions, "nameConstraints = critical,excluded;DNS:bar.example.test"],
    }),
  )
  add(
    pki.issue(
      "nc-wildcard",
      excludesBar,
      server("nc-wildcard", { extensions: serverExtensions("DNS:*.example.test") }),
    ),
  )

  const leafExtensions = (...changed: ReadonlyArray<string>) => [
    "basicConstraints = critical,CA:FALSE",
    "subjectKeyIdentifier = hash",
    "subjectAltName = DNS:www.example.test",
    ...changed,
  ]
  add(
    pki.issue(
      "ku-leaf",
      intermediate,
      server("ku-leaf", { extensions: leafExtensions("keyUsage = critical,keyEncipherment") }),
    ),
  )
  add(
    pki.issue(
      "eku-leaf",
      intermediate,
      server("eku-leaf", { extensions: leafExtensions("extendedKeyUsage = clientAuth") }),
    ),
  )
  add(
    pki.issue(
      "critical-leaf",
      intermediate,
      server("critical-leaf", {
        extensions: [...serverExtensions("DNS:www.example.test"), "1.3.6.1.4.1.55738.666.1 = critical,DER:0500"],
      }),
    ),
  )
  add(pki.issue("sha224-leaf", intermediate, server("sha224-leaf", { signing: ["-sha224"] })))
  add(pki.issue("sha1-leaf", intermediate, server("sha1-leaf", { signing: ["-sha1"] })))
  add(pki.issue("rsa1024-leaf", intermediate, server("rsa1024-leaf", { key: "rsa1024" })))
  add(
    pki.issue(
      "cn-leaf",
      intermediate,
      server("cn-leaf", { subject: "/O=effect-tls tests/OU=cn-leaf/CN=other.example.test" }),
    ),
  )

  const directoryConstrained = add(
    pki.issue("dn-constrained", root, {
      extensions: [
        ...caExtensions,
        "nameConstraints = critical,permitted;dirName:permitted",
        "[permitted]",
        "O = effect-tls tests",
      ],
    }),
  )
  add(pki.issue("dn-inside", directoryConstrained, server("dn-inside")))
  add(pki.issue("dn-outside", directoryConstrained, server("dn-outside", { subject: "/O=elsewhere/OU=dn-outside" })))
  for (const n of [1, 2, 3, 4]) {
    add(pki.issue(`decoy-${n}`, certs["other-root"]!, { subject: "/CN=intermediate", extensions: caExtensions }))
  }

  const second = add(pki.issue("second", intermediate, { extensions: caExtensions }))
  add(pki.issue("deep-leaf", second, server("deep-leaf")))
}, 60_000)

afterAll(() => pki.close())

describe("verifyServerChain accepts", { timeout: TIMEOUT }, () => {
  const layers = [
    ["noble", NobleCrypto],
    ["node", NodeCrypto],
  ] as const
  for (const [layerName, layer] of layers) {
    it.effect(`a chain through an intermediate, for its DNS names and IP addresses (${layerName})`, () =>
      Effect.gen(function* () {
        for (const serverName of [
          "www.example.test",
          "WWW.Example.Test.",
          "v1.api.example.test",
          "127.0.0.1",
          "::1",
          "[::1]",
        ]) {
          const verified = yield* verify({
            chain: [certs.leaf!, certs.intermediate!],
            anchors: [certs["other-root"]!, certs.root!],
            serverName,
            layer,
          })
          expect(verified.path.map((certificate) => certificate.subject.text)).toEqual([
            subjectOf("leaf"),
            "CN=intermediate",
            "CN=root",
          ])
          expect(verified.anchor.certificate.der).toEqual(certs.root!.der)
        }
      }),
    )

    it.effect(`RSA PKCS#1, RSA-PSS and Ed25519 signatures (${layerName})`, () =>
      Effect.gen(function* () {
        for (const [leaf, root] of [
          ["pkcs1-leaf", "rsa-root"],
          ["pss-leaf", "rsa-root"],
          ["ed-leaf", "ed-root"],
        ] as const) {
          const verified = yield* verify({
            chain: [certs[leaf]!],
            anchors: [certs[root]!],
            serverName: "www.example.test",
            layer,
          })
          expect(verified.path).toHaveLength(2)
        }
      }),
    )
  }

  it.effect("the peer's other certificates in any order, with unrelated ones", () =>
    Effect.gen(function* () {
      const verified = yield* verify({
        chain: [
          certs.leaf!,
          certs["other-root"]!,
          certs["ku-leaf"]!,
          certs.root!,
          certs.intermediate!,
          certs.intermediate!,
        ],
        anchors: [certs.root!],
        serverName: "www.example.test",
      })
      expect(verified.path.map((certificate) => certificate.subject.text)).toEqual([
        subjectOf("leaf"),
        "CN=intermediate",
        "CN=root",
      ])
    }),
  )

  it.effect("a chain under name constraints that it meets", () =>
    Effect.gen(function* () {
      const verified = yield* verify({
        chain: [certs["nc-inside"]!, certs.constrained!],
        anchors: [certs.root!],
        serverName: "www.allowed.test",
      })
      expect(verified.path).toHaveLength(3)
    }),
  )

  it.effect("a chain under a directoryName constraint that it meets", () =>
    Effect.gen(function* () {
      const verified = yield* verify({ chain: [certs["dn-inside"]!, certs["dn-constrained"]!], anchors: [certs.root!] })
      expect(verified.path).toHaveLength(3)
    }),
  )

  it.effect("the issuer among decoys with the same name", () =>
    Effect.gen(function* () {
      const decoys = [1, 2, 3, 4].map((n) => certs[`decoy-${n}`]!)
      const verified = yield* verify({
        chain: [certs.leaf!, ...decoys, certs.intermediate!],
        anchors: [certs.root!, certs["other-root"]!],
      })
      expect(verified.path[1]!.der).toEqual(certs.intermediate!.der)
    }),
  )

  it("reads each signature algorithm, with RSA-PSS parameters", () => {
    const algorithmOf = (name: string) => anchorOf(certs[name]!).certificate.signatureAlgorithm.algorithm
    expect(algorithmOf("pss-leaf")).toEqual({ _tag: "RsaPss", hash: "SHA-256", saltLength: 32 })
    expect(algorithmOf("pkcs1-leaf")).toEqual({ _tag: "RsaPkcs1", hash: "SHA-256" })
    expect(algorithmOf("leaf")).toEqual({ _tag: "Ecdsa", hash: "SHA-384" })
    expect(algorithmOf("ed-leaf")).toEqual({ _tag: "Ed25519" })
    expect(algorithmOf("sha1-leaf")).toEqual({ _tag: "Ecdsa", hash: "SHA-1" })
    expect(algorithmOf("sha224-leaf")).toBe("UnsupportedAlgorithm")
  })

  it.effect("SHA-1 signatures when the policy allows them, and no identity check without a server name", () =>
    Effect.gen(function* () {
      const verified = yield* verify({
        chain: [certs["sha1-leaf"]!, certs.intermediate!],
        anchors: [certs.root!],
        policy: { allowSha1: true },
      })
      expect(verified.path).toHaveLength(3)
    }),
  )
})

describe("verifyServerChain refuses, with the code and the subject at fault", { timeout: TIMEOUT }, () => {
  /** Code, what the chain shows, the chain, and the subject at fault when it is not the leaf's. */
  const cases: ReadonlyArray<readonly [CertificateErrorCode, string, () => Run, string?]> = [
    [
      "Expired",
      "the leaf after its notAfter",
      () => ({ chain: [certs.leaf!, certs.intermediate!], anchors: [certs.root!], after: 31 * DAY }),
    ],
    [
      "NotYetValid",
      "the leaf before its notBefore",
      () => ({ chain: [certs.leaf!, certs.intermediate!], anchors: [certs.root!], after: -DAY }),
    ],
    ["UnknownIssuer", "the leaf without its intermediate", () => ({ chain: [certs.leaf!], anchors: [certs.root!] })],
    [
      "SelfSigned",
      "a self-signed leaf that is not trusted",
      () => ({ chain: [certs["self-signed-leaf"]!], anchors: [certs.root!] }),
    ],
    [
      "HostnameMismatch",
      "another name",
      () => ({ chain: [certs.leaf!, certs.intermediate!], anchors: [certs.root!], serverName: "example.test" }),
    ],
    [
      "HostnameMismatch",
      "a wildcard across two labels",
      () => ({ chain: [certs.leaf!, certs.intermediate!], anchors: [certs.root!], serverName: "a.b.api.example.test" }),
    ],
    [
      "HostnameMismatch",
      "another address",
      () => ({ chain: [certs.leaf!, certs.intermediate!], anchors: [certs.root!], serverName: "127.0.0.2" }),
    ],
    [
      "HostnameMismatch",
      "a common name that is not a subjectAltName",
      () => ({
        chain: [certs["cn-leaf"]!, certs.intermediate!],
        anchors: [certs.root!],
        serverName: "www.example.test",
      }),
      `CN=other.example.test,${subjectOf("cn-leaf")}`,
    ],
    [
      "NotCa",
      "an issuer without cA",
      () => ({ chain: [certs["under-not-ca"]!, certs["not-ca"]!], anchors: [certs.root!] }),
      "CN=not-ca",
    ],
    [
      "PathLenExceeded",
      "an intermediate under a root with pathlen 0",
      () => ({ chain: [certs["under-pathlen"]!, certs["pathlen-intermediate"]!], anchors: [certs["pathlen-root"]!] }),
      "CN=pathlen-intermediate",
    ],
    [
      "NameConstraintViolation",
      "a name outside the permitted subtree",
      () => ({ chain: [certs["nc-outside"]!, certs.constrained!], anchors: [certs.root!] }),
    ],
    [
      "NameConstraintViolation",
      "an address in an excluded subtree",
      () => ({ chain: [certs["nc-excluded-ip"]!, certs.constrained!], anchors: [certs.root!] }),
    ],
    [
      "NameConstraintViolation",
      "a wildcard that covers an excluded name",
      () => ({ chain: [certs["nc-wildcard"]!, certs["excludes-bar"]!], anchors: [certs.root!] }),
    ],
    [
      "BadKeyUsage",
      "a leaf without digitalSignature",
      () => ({ chain: [certs["ku-leaf"]!, certs.intermediate!], anchors: [certs.root!] }),
    ],
    [
      "BadExtendedKeyUsage",
      "a leaf for clientAuth only",
      () => ({ chain: [certs["eku-leaf"]!, certs.intermediate!], anchors: [certs.root!] }),
    ],
    [
      "UnknownCriticalExtension",
      "a leaf with an unknown critical extension",
      () => ({ chain: [certs["critical-leaf"]!, certs.intermediate!], anchors: [certs.root!] }),
    ],
    [
      "UnsupportedAlgorithm",
      "an ecdsa-with-SHA224 signature",
      () => ({ chain: [certs["sha224-leaf"]!, certs.intermediate!], anchors: [certs.root!] }),
    ],
    [
      "WeakKey",
      "a SHA-1 signature",
      () => ({ chain: [certs["sha1-leaf"]!, certs.intermediate!], anchors: [certs.root!] }),
    ],
    [
      "WeakKey",
      "a 1024-bit RSA key",
      () => ({ chain: [certs["rsa1024-leaf"]!, certs.intermediate!], anchors: [certs.root!] }),
    ],
    [
      "ChainTooLong",
      "more intermediates than the policy allows",
      () => ({
        chain: [certs["deep-leaf"]!, certs.second!, certs.intermediate!],
        anchors: [certs.root!],
        policy: { maxDepth: 1 },
      }),
      "CN=intermediate",
    ],
  ]
  for (const [code, what, run, fault] of cases) {
    it.effect(`${code}: ${what}`, () =>
      Effect.gen(function* () {
        const result = yield* failure(run())
        expect(result.code, result.fatal.message).toBe(code)
        const leaf = run().chain[0] as Issued
        expect(result.subject).toBe(fault ?? subjectOf(leaf.name))
      }),
    )
  }

  it.effect("NameConstraintViolation: a subject outside a directoryName constraint", () =>
    Effect.gen(function* () {
      const result = yield* failure({ chain: [certs["dn-outside"]!, certs["dn-constrained"]!], anchors: [certs.root!] })
      expect(result.code).toBe("NameConstraintViolation")
      expect(result.subject).toBe("OU=dn-outside,O=elsewhere")
    }),
  )

  it.effect("BadSignature from same-name decoys, and ChainTooLong when they use up the candidate budget", () =>
    Effect.gen(function* () {
      const decoys = [1, 2, 3, 4].map((n) => certs[`decoy-${n}`]!)
      const refused = yield* failure({ chain: [certs.leaf!, ...decoys], anchors: [certs.root!] })
      expect([refused.code, refused.subject]).toEqual(["BadSignature", subjectOf("leaf")])
      const exhausted = yield* failure({
        chain: [certs.leaf!, ...decoys],
        anchors: [certs.root!],
        policy: { maxCandidates: 3 },
      })
      expect(exhausted.code).toBe("ChainTooLong")
      expect(exhausted.fatal.message).toContain("gave up after 3 candidates")
    }),
  )

  it.effect("BadSignature: a leaf whose signature was altered (either crypto layer)", () =>
    Effect.gen(function* () {
      const der = certs.leaf!.der.slice()
      der[der.length - 1]! ^= 0x01
      for (const layer of [NobleCrypto, NodeCrypto]) {
        const result = yield* failure({ chain: [der, certs.intermediate!], anchors: [certs.root!], layer })
        expect(result.code).toBe("BadSignature")
        expect(result.subject).toBe(subjectOf("leaf"))
      }
    }),
  )

  it.effect("Malformed: bytes that are not a certificate, a truncated one, or none at all", () =>
    Effect.gen(function* () {
      for (const chain of [[Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01)], [certs.leaf!.der.subarray(0, 100)], []]) {
        const result = yield* failure({ chain, anchors: [certs.root!] })
        expect(result.code).toBe("Malformed")
      }
      const result = yield* failure({
        chain: [certs.leaf!, certs.intermediate!.der.subarray(1)],
        anchors: [certs.root!],
      })
      expect(result.fatal.message).toContain("certificate 1")
    }),
  )

  it.effect("each failure maps to its alert", () =>
    Effect.gen(function* () {
      const expired = yield* failure({
        chain: [certs.leaf!, certs.intermediate!],
        anchors: [certs.root!],
        after: 31 * DAY,
      })
      expect(alertToSend(expired.fatal.reason)).toBe(AlertDescription.certificate_expired)
      const unknown = yield* failure({ chain: [certs.leaf!], anchors: [certs.root!] })
      expect(alertToSend(unknown.fatal.reason)).toBe(AlertDescription.unknown_ca)
      const mismatch = yield* failure({
        chain: [certs.leaf!, certs.intermediate!],
        anchors: [certs.root!],
        serverName: "x.test",
      })
      expect(alertToSend(mismatch.fatal.reason)).toBe(AlertDescription.bad_certificate)
    }),
  )
})
