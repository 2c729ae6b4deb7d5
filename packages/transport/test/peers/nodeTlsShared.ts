// What the node:tls peers (the TCP server and the in-memory server) share: the server-side
// TLS options built from the test PKI, and exporter requests answered with the socket's
// `exportKeyingMaterial` (RFC 8446 section 7.5) for comparison with our client's exporter.
import type { TLSSocket, TlsOptions } from "node:tls"
import type { CertKeyPair, TestPki } from "./certs.js"

/** One keying-material export to compute on each connection once the handshake is done. */
export interface ExporterRequest {
  readonly label: string
  readonly length: number
  /** The context value; absent means empty, which TLS 1.3 treats the same as no context. */
  readonly context?: Uint8Array
}

/** An `ExporterRequest` with the server's answer. */
export interface ExportedKey extends ExporterRequest {
  readonly value: Uint8Array
}

/** Options common to both node:tls peers. */
export interface NodeTlsPeerOptions {
  /** Certificate chain and key to serve (default: the test PKI's ECDSA P-256 leaf). */
  readonly cert?: CertKeyPair
  /** Require a client certificate issued by the test PKI's client CA (rejecting others). */
  readonly requestCert?: boolean
  /** Exports computed on each connection right after its handshake. */
  readonly exporters?: ReadonlyArray<ExporterRequest>
  /** Further node:tls options (minVersion, ciphers, ecdhCurve, sigalgs, ALPNProtocols, ...), applied last. */
  readonly tls?: TlsOptions
}

/** The node:tls server options for `options`, with the test PKI's defaults. */
export const serverTlsOptions = (pki: TestPki, options: NodeTlsPeerOptions): TlsOptions => {
  const cert = options.cert ?? pki.leaves.ecdsaP256
  return {
    cert: cert.chainPem,
    key: cert.keyPem,
    ...(options.requestCert === true
      ? { requestCert: true, rejectUnauthorized: true, ca: [pki.clientCa.certPem] }
      : {}),
    ...options.tls,
  }
}

/** Answers each request with `socket.exportKeyingMaterial`. */
export const exportKeys = (socket: TLSSocket, requests: ReadonlyArray<ExporterRequest>): Array<ExportedKey> =>
  requests.map((request) => ({
    ...request,
    value: new Uint8Array(
      socket.exportKeyingMaterial(request.length, request.label, Buffer.from(request.context ?? new Uint8Array(0))),
    ),
  }))
