/**
 * What `effect-tls connect` prints: the JSON contract (one object on stdout) and the
 * readable summary in the manner of `openssl s_client -brief`. Field names are a contract
 * that checks outside the repo rely on: extend, never rename or drop.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import type { CleanShutdown, Fatal, FatalReason, SessionInfo } from "@effect-tls/core"
import { X509 } from "@effect-tls/core"
import { parseSpki } from "@effect-tls/crypto/keys"
import { Either } from "effect"

/** A peer certificate as reported. @since 0.1.0 */
export interface CertificateReport {
  readonly subject: string
  readonly issuer: string
  readonly notBefore: string
  readonly notAfter: string
  readonly subjectAltNames: ReadonlyArray<string>
  readonly fingerprintSha256: string
  readonly keyType: string
}

const keyTypeOf = (spki: Uint8Array): string => {
  const key = parseSpki(spki)
  if (Either.isLeft(key)) return "unknown"
  switch (key.right._tag) {
    case "Ec":
      return `ECDSA ${key.right.curve}`
    case "Ed25519":
      return "Ed25519"
    case "Rsa":
      return `${key.right.pss === undefined ? "RSA" : "RSA-PSS"} ${key.right.bits}`
  }
}

const altName = (name: X509.GeneralName): string | undefined =>
  name._tag === "Dns" ? `DNS:${name.name}` : name._tag === "Ip" ? `IP:${X509.formatIpAddress(name.bytes)}` : undefined

/** The report of one DER certificate (unparseable ones are reported as such). @since 0.1.0 */
export const certificateReport = (der: Uint8Array): CertificateReport => {
  const fingerprintSha256 = createHash("sha256").update(der).digest("hex")
  const parsed = X509.parseCertificate(der)
  if (Either.isLeft(parsed)) {
    return {
      subject: "(unparseable)",
      issuer: "(unparseable)",
      notBefore: "",
      notAfter: "",
      subjectAltNames: [],
      fingerprintSha256,
      keyType: "unknown",
    }
  }
  const certificate = parsed.right
  return {
    subject: certificate.subject.text,
    issuer: certificate.issuer.text,
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    subjectAltNames: (certificate.extensions.subjectAltName?.value ?? []).flatMap((name) => altName(name) ?? []),
    fingerprintSha256,
    keyType: keyTypeOf(certificate.spki),
  }
}

/** How the read after `--send` ended. @since 0.1.0 */
export type ClosedBy = "close_notify" | "eof" | "read-timeout"

/** The result of one successful run. @since 0.1.0 */
export interface Success {
  readonly session: SessionInfo
  readonly handshakeMs: number
  readonly received: Uint8Array
  readonly closedBy: ClosedBy | undefined
  readonly handshakes: number
  readonly meanHandshakeMs: number
}

const round = (ms: number) => Math.round(ms * 1000) / 1000

/** The success object of the JSON contract. @since 0.1.0 */
export const successJson = (
  result: Success,
  options: { readonly includeReceived: boolean; readonly count: boolean },
) => ({
  ok: true,
  version: result.session.version,
  cipherSuite: result.session.cipherSuite,
  group: result.session.group,
  signatureScheme: result.session.signatureScheme,
  alpn: result.session.alpn ?? null,
  serverName: result.session.serverName ?? null,
  helloRetryRequest: result.session.helloRetryRequest,
  resumed: result.session.resumed,
  certificateVerified: result.session.certificateVerified,
  clientAuthenticated: result.session.clientAuthenticated,
  peerCertificates: result.session.peerCertificates.map(certificateReport),
  handshakeMs: round(result.handshakeMs),
  receivedBytes: result.received.length,
  ...(options.includeReceived ? { received: new TextDecoder().decode(result.received) } : {}),
  ...(result.closedBy === undefined ? {} : { closedBy: result.closedBy }),
  ...(options.count ? { handshakes: result.handshakes, meanHandshakeMs: round(result.meanHandshakeMs) } : {}),
})

const reasonJson = (reason: FatalReason): Record<string, unknown> => {
  switch (reason._tag) {
    case "Io":
      return { _tag: reason._tag, detail: reason.detail, cause: String(reason.cause) }
    default:
      return { ...reason }
  }
}

/** The failure object of the JSON contract. @since 0.1.0 */
export const failureJson = (error: Fatal | CleanShutdown) => ({
  ok: false,
  error:
    error._tag === "Fatal"
      ? { _tag: "Fatal", reason: reasonJson(error.reason), message: error.message }
      : { _tag: "CleanShutdown", message: error.message },
})

/** The readable summary, like `openssl s_client -brief`. @since 0.1.0 */
export const successText = (result: Success): string => {
  const s = result.session
  const leaf = s.peerCertificates[0]
  const lines = [
    "CONNECTION ESTABLISHED",
    `Protocol version: ${s.version}`,
    `Ciphersuite: ${s.cipherSuite}`,
    ...(leaf ? [`Peer certificate: ${certificateReport(leaf).subject}`] : []),
    `Signature type: ${s.signatureScheme}`,
    `Verification: ${s.certificateVerified ? "OK" : "DISABLED (--insecure): the server is NOT authenticated"}`,
    `Server Temp Key: ${s.group}`,
    ...(s.alpn ? [`ALPN protocol: ${s.alpn}`] : []),
    ...(s.helloRetryRequest ? ["HelloRetryRequest: yes"] : []),
    `Handshake: ${result.handshakeMs.toFixed(1)} ms${result.handshakes > 1 ? ` (${result.handshakes} handshakes, mean ${result.meanHandshakeMs.toFixed(1)} ms)` : ""}`,
  ]
  return lines.join("\n")
}
