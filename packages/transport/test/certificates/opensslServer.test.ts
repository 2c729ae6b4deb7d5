/**
 * Certificate verification end to end: `NodeTls.connect` against a real `openssl s_server`
 * presenting chains made by the tests (`peers/certs.ts`, `peers/badCerts.ts`). Each refusal is
 * checked at both ends: the `Fatal` our client fails with (reason `Certificate`, its code and
 * the subject of the certificate at fault) and the alert s_server logs having received.
 * Trust (`ca` replaces the system roots, `insecure`) and the verification hook are here too.
 *
 * Live clock throughout: under the TestClock (1970) every certificate is not yet valid.
 */
import { createHash } from "node:crypto"
import { NodeSocket } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { type CertificateErrorCode, Fatal, FatalReason, Wire } from "@effect-tls/core"
import { connect, NodeTls, SystemRoots, type VerifyHook } from "@effect-tls/transport"
import { Clock, Effect, Either, Logger, type Scope } from "effect"
import { type BadCerts, badCerts } from "../peers/badCerts.js"
import { type CertKeyPair, leafKinds, type TestPki, testPki } from "../peers/certs.js"
import { startOpensslServer } from "../peers/opensslServer.js"
import type { PeerServer } from "../peers/peerServer.js"

type NodeTlsOptions = Parameters<typeof NodeTls.connect>[0]

/** The alerts a certificate failure sends, with the text OpenSSL 3.0 logs on receiving each. */
const opensslAlertText = {
  bad_certificate: "sslv3 alert bad certificate",
  unsupported_certificate: "sslv3 alert unsupported certificate",
  certificate_expired: "sslv3 alert certificate expired",
  unknown_ca: "tlsv1 alert unknown ca",
  insufficient_security: "tlsv1 alert insufficient security",
} as const

type CertificateAlert = keyof typeof opensslAlertText

const intermediateSubject = "CN=effect-tls Test Intermediate CA"

/** OpenSSL's default security level refuses to serve RSA-1024 keys and SHA-1 or SHA-3 signatures. */
const weakServer = ["-cipher", "DEFAULT:@SECLEVEL=0"]

/** Per test: the first ones make the test PKIs (several seconds on a loaded machine). */
const timeout = 30_000

/** The alert s_server reports, e.g. "...:ssl3_read_bytes:tlsv1 alert unknown ca:...:SSL alert number 48". */
const alertReceived = (server: PeerServer, since: number) =>
  Effect.map(server.waitForOutput(/:([^:\n]*alert [^:\n]*):[^\n]*SSL alert number (\d+)/, { since }), (match) => ({
    text: match[1],
    number: Number(match[2]),
  }))

const expectedAlert = (alert: CertificateAlert) => ({
  text: opensslAlertText[alert],
  number: Wire.AlertDescription[alert],
})

/** The server names in the ClientHello that s_server traced (`-msg`); empty when there was no server_name. */
const serverNamesReceived = (output: string): ReadonlyArray<string> => {
  const trace = /<<< [^\n]*, Handshake \[length [0-9a-f]+\], ClientHello\n((?: {4}[0-9a-f ]+\n)+)/.exec(output)
  expect(trace).not.toBeNull()
  const bytes = Uint8Array.from(Buffer.from((trace?.[1] ?? "").replace(/\s+/g, ""), "hex"))
  const hello = Wire.decodeHandshake(Wire.HandshakeType.client_hello, bytes.subarray(4))
  if (Either.isLeft(hello) || hello.right._tag !== "ClientHello") throw new Error("s_server traced no ClientHello")
  const serverName = hello.right.extensions.find((extension) => extension._tag === "ServerName")
  return serverName?._tag === "ServerName" ? serverName.hostNames : []
}

/** Connects to `server` with the test root as `ca` and `options`; the connection lives in the test's scope. */
const connectTo = (server: PeerServer, pki: TestPki, options: Partial<NodeTlsOptions> = {}, hook?: VerifyHook) =>
  NodeTls.connect(
    { host: server.host, port: server.port, ca: pki.root.certPem, ...options },
    hook === undefined ? {} : { verifyHook: hook },
  )

/** Runs `connecting` against `server`, expecting a `Fatal`: returns its reason and the alert s_server received. */
const refusal = <E>(server: PeerServer, connecting: Effect.Effect<unknown, E, Scope.Scope>) =>
  Effect.gen(function* () {
    const since = server.output().length
    const failure = yield* Effect.scoped(connecting).pipe(
      Effect.andThen(Effect.dieMessage("the handshake succeeded; expected a refusal")),
      Effect.flip,
    )
    expect(failure).toBeInstanceOf(Fatal)
    const reason = failure instanceof Fatal ? failure.reason : undefined
    return { reason, alert: yield* alertReceived(server, since) }
  })

/** The live clock, except that it reads `millis` as the current time. */
const clockAt = (millis: number): Clock.Clock => {
  const live = Clock.make()
  return Object.assign(Object.create(live) as Clock.Clock, {
    unsafeCurrentTimeMillis: () => millis,
    currentTimeMillis: Effect.succeed(millis),
  })
}

/** A refused certificate: what the server presents and how the client must fail. */
interface Refused {
  readonly title: string
  readonly cert: (pki: TestPki, bad: BadCerts) => CertKeyPair
  readonly options?: (pki: TestPki) => Partial<NodeTlsOptions>
  /** Extra s_server flags. */
  readonly serverArgs?: ReadonlyArray<string>
  readonly code: CertificateErrorCode
  readonly subject: string
  readonly alert: CertificateAlert
}

const refused: ReadonlyArray<Refused> = [
  {
    title: "a leaf whose validity ended 30 days ago",
    cert: (pki) => pki.expired,
    code: "Expired",
    subject: "CN=localhost",
    alert: "certificate_expired",
  },
  {
    title: "a leaf valid only from 30 days from now",
    cert: (pki) => pki.notYetValid,
    code: "NotYetValid",
    subject: "CN=localhost",
    alert: "certificate_expired",
  },
  {
    title: "a leaf served without its intermediate",
    cert: (_, bad) => bad.withoutIntermediate,
    code: "UnknownIssuer",
    subject: "CN=localhost",
    alert: "unknown_ca",
  },
  {
    title: "a chain to a root other than `ca`",
    cert: (pki) => pki.leaves.ecdsaP256,
    options: (pki) => ({ ca: pki.clientCa.certPem }),
    code: "UnknownIssuer",
    subject: intermediateSubject,
    alert: "unknown_ca",
  },
  {
    title: "a self-signed leaf",
    cert: (pki) => pki.selfSigned,
    code: "SelfSigned",
    subject: "CN=localhost",
    alert: "unknown_ca",
  },
  {
    title: "a leaf whose signature has one byte changed",
    cert: (_, bad) => bad.badSignature,
    code: "BadSignature",
    subject: "CN=localhost",
    alert: "bad_certificate",
  },
  {
    title: "a leaf for other names, server name 127.0.0.1 (IP)",
    cert: (pki) => pki.wrongHost,
    code: "HostnameMismatch",
    subject: "CN=wrong-host.invalid",
    alert: "bad_certificate",
  },
  {
    title: "a leaf for other names, server name localhost (DNS)",
    cert: (pki) => pki.wrongHost,
    options: () => ({ serverName: "localhost" }),
    code: "HostnameMismatch",
    subject: "CN=wrong-host.invalid",
    alert: "bad_certificate",
  },
  {
    title: "an intermediate with basicConstraints CA:FALSE",
    cert: (_, bad) => bad.underNotCa,
    code: "NotCa",
    subject: "CN=effect-tls Not-CA Intermediate",
    alert: "bad_certificate",
  },
  {
    title: "a CA below an intermediate with pathlen 0",
    cert: (_, bad) => bad.pathLenExceeded,
    code: "PathLenExceeded",
    subject: "CN=effect-tls Sub-CA",
    alert: "bad_certificate",
  },
  {
    title: "a leaf for localhost under a CA that excludes DNS:localhost",
    cert: (_, bad) => bad.nameConstrained,
    code: "NameConstraintViolation",
    subject: "CN=localhost,OU=name-constrained",
    alert: "bad_certificate",
  },
  {
    title: "a leaf whose keyUsage lacks digitalSignature",
    cert: (_, bad) => bad.noDigitalSignature,
    code: "BadKeyUsage",
    subject: "CN=localhost,OU=no-digital-signature",
    alert: "bad_certificate",
  },
  {
    title: "a leaf for clientAuth only",
    cert: (_, bad) => bad.clientAuthOnly,
    code: "BadExtendedKeyUsage",
    subject: "CN=localhost,OU=client-auth-only",
    alert: "unsupported_certificate",
  },
  {
    title: "an intermediate with a P-521 key",
    cert: (_, bad) => bad.underP521,
    code: "UnsupportedAlgorithm",
    subject: "CN=effect-tls P-521 CA",
    alert: "unsupported_certificate",
  },
  {
    title: "a leaf signed with ecdsa-with-SHA3-256",
    cert: (_, bad) => bad.sha3Signed,
    serverArgs: weakServer,
    code: "UnsupportedAlgorithm",
    subject: "CN=localhost,OU=sha3-signed",
    alert: "unsupported_certificate",
  },
  {
    title: "a leaf with an RSA-1024 key",
    cert: (_, bad) => bad.rsa1024,
    serverArgs: weakServer,
    code: "WeakKey",
    subject: "CN=localhost,OU=rsa-1024",
    alert: "insufficient_security",
  },
  {
    title: "a leaf signed with ecdsa-with-SHA1",
    cert: (_, bad) => bad.sha1Signed,
    serverArgs: weakServer,
    code: "WeakKey",
    subject: "CN=localhost,OU=sha1-signed",
    alert: "insufficient_security",
  },
  {
    title: "a leaf with an unknown critical extension",
    cert: (_, bad) => bad.unknownCriticalExtension,
    code: "UnknownCriticalExtension",
    subject: "CN=localhost,OU=unknown-critical",
    alert: "unsupported_certificate",
  },
  {
    title: "a leaf without authorityKeyIdentifier",
    cert: (_, bad) => bad.noAuthorityKeyId,
    code: "Malformed",
    subject: "CN=localhost,OU=no-authority-key-id",
    alert: "bad_certificate",
  },
  {
    title: "a leaf with a BER (not DER) BOOLEAN",
    cert: (_, bad) => bad.nonDerBoolean,
    code: "Malformed",
    subject: "",
    alert: "bad_certificate",
  },
  {
    title: "eleven intermediates (the certificate limit raised to 16)",
    cert: (_, bad) => bad.elevenIntermediates,
    options: () => ({ limits: { maxCertificates: 16 } }),
    code: "ChainTooLong",
    subject: "CN=effect-tls Chain CA 1",
    alert: "bad_certificate",
  },
]

describe("certificate verification against openssl s_server", { timeout }, () => {
  describe("a valid chain through an intermediate", () => {
    it.scopedLive("verifies with the server name as an IP address (127.0.0.1: no SNI, IP SAN)", () =>
      Effect.gen(function* () {
        const pki = yield* testPki
        const server = yield* startOpensslServer({ args: ["-msg"] })
        const connection = yield* connectTo(server, pki)
        expect(connection.session.certificateVerified).toBe(true)
        expect(connection.peerCertificates.map((certificate) => certificate.subject.text)).toEqual([
          "CN=localhost",
          intermediateSubject,
        ])
        yield* connection.write(new TextEncoder().encode("over a verified chain\n"))
        yield* server.waitForOutput("over a verified chain")
        expect(serverNamesReceived(server.output())).toEqual([])
      }),
    )

    it.scopedLive("verifies with the server name as DNS (localhost, sent as SNI)", () =>
      Effect.gen(function* () {
        const pki = yield* testPki
        const server = yield* startOpensslServer({ args: ["-msg"] })
        const connection = yield* connectTo(server, pki, { serverName: "localhost" })
        expect(connection.session.certificateVerified).toBe(true)
        yield* server.waitForOutput("CIPHER is")
        expect(serverNamesReceived(server.output())).toEqual(["localhost"])
      }),
    )

    it.scopedLive("verifies every leaf key type (P-256, P-384, RSA, RSA-PSS, Ed25519)", () =>
      Effect.gen(function* () {
        const pki = yield* testPki
        for (const kind of leafKinds) {
          const server = yield* startOpensslServer({ cert: pki.leaves[kind] })
          const connection = yield* Effect.scoped(
            Effect.map(connectTo(server, pki, { serverName: "localhost" }), (c) => c.session),
          )
          expect([kind, connection.certificateVerified]).toEqual([kind, true])
        }
      }),
    )

    it.scopedLive("verifies ten intermediates (the path depth limit; certificate limit raised to 16)", () =>
      Effect.gen(function* () {
        const [pki, bad] = yield* Effect.all([testPki, badCerts])
        const server = yield* startOpensslServer({ cert: bad.tenIntermediates })
        const connection = yield* connectTo(server, pki, { limits: { maxCertificates: 16 } })
        expect(connection.session.certificateVerified).toBe(true)
        expect(connection.peerCertificates).toHaveLength(11)
      }),
    )
  })

  describe("each refusal: the Fatal's code and subject, and the alert s_server received", () => {
    for (const test of refused) {
      it.scopedLive(`${test.code}: ${test.title}`, () =>
        Effect.gen(function* () {
          const [pki, bad] = yield* Effect.all([testPki, badCerts])
          const server = yield* startOpensslServer({ cert: test.cert(pki, bad), args: test.serverArgs ?? [] })
          const { reason, alert } = yield* refusal(server, connectTo(server, pki, test.options?.(pki)))
          expect(reason).toMatchObject({ _tag: "Certificate", code: test.code, subject: test.subject })
          expect(alert).toEqual(expectedAlert(test.alert))
        }),
      )
    }

    it.scopedLive("validity periods are checked at the connecting fiber's Clock (one set in 2200: Expired)", () =>
      Effect.gen(function* () {
        const pki = yield* testPki
        const server = yield* startOpensslServer()
        const { reason, alert } = yield* refusal(
          server,
          Effect.withClock(connectTo(server, pki), clockAt(Date.UTC(2200, 0))),
        )
        expect(reason).toMatchObject({ _tag: "Certificate", code: "Expired", subject: "CN=localhost" })
        expect(alert).toEqual(expectedAlert("certificate_expired"))
      }),
    )

    it.scopedLive("more certificates than the default limit of 10 are refused before verification", () =>
      Effect.gen(function* () {
        const [pki, bad] = yield* Effect.all([testPki, badCerts])
        const server = yield* startOpensslServer({ cert: bad.elevenIntermediates })
        const { reason, alert } = yield* refusal(server, connectTo(server, pki))
        expect(reason).toMatchObject({ _tag: "AlertSent", description: "bad_certificate" })
        expect(alert).toEqual(expectedAlert("bad_certificate"))
      }),
    )
  })

  describe("trust", () => {
    it.scopedLive("without `ca`, the system roots are used: the test chain has an unknown issuer", () =>
      Effect.gen(function* () {
        const server = yield* startOpensslServer()
        const { reason, alert } = yield* refusal(server, NodeTls.connect({ host: server.host, port: server.port }))
        expect(reason).toMatchObject({ _tag: "Certificate", code: "UnknownIssuer", subject: intermediateSubject })
        expect(alert).toEqual(expectedAlert("unknown_ca"))
      }),
    )

    it.scopedLive("`ca` replaces the system roots rather than adding to them", () =>
      Effect.gen(function* () {
        const pki = yield* testPki
        const server = yield* startOpensslServer()
        // Stand-in system roots that do hold the test root: trusted by default ...
        const withRoots = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
          Effect.provideService(effect, SystemRoots, [pki.root.certPem])
        const overTcp = (options: { readonly ca?: string }) =>
          Effect.flatMap(NodeSocket.makeNet({ host: server.host, port: server.port }), (socket) =>
            connect(socket, { serverName: server.host, ...options }),
          )
        const trusted = yield* Effect.scoped(Effect.map(withRoots(overTcp({})), (c) => c.session))
        expect(trusted.certificateVerified).toBe(true)
        // ... but not once `ca` names another root.
        const { reason, alert } = yield* refusal(server, withRoots(overTcp({ ca: pki.clientCa.certPem })))
        expect(reason).toMatchObject({ _tag: "Certificate", code: "UnknownIssuer", subject: intermediateSubject })
        expect(alert).toEqual(expectedAlert("unknown_ca"))
      }),
    )

    it.scopedLive("`insecure: true` accepts a self-signed certificate, unverified, with a logged warning", () =>
      Effect.gen(function* () {
        const pki = yield* testPki
        const server = yield* startOpensslServer({ cert: pki.selfSigned })
        const warnings: Array<string> = []
        const capture = Logger.make(({ logLevel, message }) => {
          if (logLevel._tag === "Warning") warnings.push([message].flat().join(" "))
        })
        const connection = yield* NodeTls.connect({ host: server.host, port: server.port, insecure: true }).pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
        )
        expect(connection.session.certificateVerified).toBe(false)
        expect(warnings.join("\n")).toMatch(/certificate verification is DISABLED/)
        yield* connection.write(new TextEncoder().encode("unauthenticated\n"))
        yield* server.waitForOutput("unauthenticated")
      }),
    )
  })

  describe("a verification hook pinning the leaf's SHA-256 fingerprint", () => {
    const fingerprint = (der: Uint8Array) => createHash("sha256").update(der).digest("hex")
    const pinned =
      (expected: string): VerifyHook =>
      (peer) => {
        const leaf = peer.chain[0]
        return leaf !== undefined && fingerprint(leaf) === expected
          ? Effect.void
          : Effect.fail(
              new Fatal({
                reason: FatalReason.Certificate({
                  code: "Rejected",
                  subject: "",
                  detail: `leaf fingerprint is not the pinned ${expected}`,
                }),
              }),
            )
      }

    it.scopedLive("accepts the pinned leaf, after the built-in verification", () =>
      Effect.gen(function* () {
        const pki = yield* testPki
        const leaf = pki.leaves.ecdsaP256
        const server = yield* startOpensslServer({ cert: leaf })
        const seen: Array<{ readonly verified: boolean; readonly serverIdentity: string | undefined }> = []
        const hook: VerifyHook = (peer) =>
          Effect.zipRight(
            Effect.sync(() => seen.push({ verified: peer.verified, serverIdentity: peer.serverIdentity })),
            pinned(fingerprint(leaf.certDer))(peer),
          )
        const connection = yield* connectTo(server, pki, {}, hook)
        expect(connection.session.certificateVerified).toBe(true)
        expect(seen).toEqual([{ verified: true, serverIdentity: "127.0.0.1" }])
      }),
    )

    it.scopedLive("refuses another leaf with the hook's Fatal, and sends bad_certificate", () =>
      Effect.gen(function* () {
        const pki = yield* testPki
        const server = yield* startOpensslServer({ cert: pki.leaves.ecdsaP256 })
        const other = fingerprint(pki.leaves.ecdsaP384.certDer)
        const { reason, alert } = yield* refusal(server, connectTo(server, pki, {}, pinned(other)))
        expect(reason).toEqual(
          FatalReason.Certificate({
            code: "Rejected",
            subject: "",
            detail: `leaf fingerprint is not the pinned ${other}`,
          }),
        )
        expect(alert).toEqual(expectedAlert("bad_certificate"))
      }),
    )

    it.scopedLive("cannot rescue a chain the built-in verification refuses", () =>
      Effect.gen(function* () {
        const pki = yield* testPki
        const server = yield* startOpensslServer({ cert: pki.expired })
        const hook = pinned(fingerprint(pki.expired.certDer))
        const { reason, alert } = yield* refusal(server, connectTo(server, pki, {}, hook))
        expect(reason).toMatchObject({ _tag: "Certificate", code: "Expired" })
        expect(alert).toEqual(expectedAlert("certificate_expired"))
      }),
    )
  })
})
