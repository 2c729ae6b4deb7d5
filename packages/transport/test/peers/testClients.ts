// Reference TLS clients for testing the peer servers themselves: a node:tls client that
// records what it received, and `openssl s_client` / `gnutls-cli` run as peer processes.
import { type ConnectionOptions, connect, type TLSSocket } from "node:tls"
import type { CertKeyPair, TestPki } from "./certs.js"
import { peerError } from "./errors.js"
import { type PeerProcess, spawnPeer } from "./peerProcess.js"

/** A connected node:tls client. */
export interface NodeTlsClient {
  readonly socket: TLSSocket
  /** Everything received so far, as UTF-8 (binary data: use `receivedBytes`). */
  readonly received: () => string
  readonly receivedBytes: () => Uint8Array
  /** Resolves once `received()` contains `text`, or has `length` bytes. Rejects on close or after `timeoutMs`. */
  readonly waitFor: (until: string | { readonly length: number }, timeoutMs?: number) => Promise<void>
  /** Resolves when the server has ended the stream (close_notify or FIN). */
  readonly ended: Promise<void>
  /** Ends the connection (close_notify, FIN) and resolves when the socket has closed. */
  readonly close: () => Promise<void>
}

/** Options of `connectNodeTls`. */
export interface NodeTlsClientOptions {
  /** Present this client certificate. */
  readonly cert?: CertKeyPair
  /** Further options (ecdhCurve, ALPNProtocols, ...). */
  readonly tls?: ConnectionOptions
}

/**
 * Connects to `127.0.0.1:port` with TLS 1.3 only, trusting the test root and checking the name
 * "localhost"; resolves after the handshake, rejects with the handshake error.
 */
export const connectNodeTls = (
  pki: TestPki,
  port: number,
  options: NodeTlsClientOptions = {},
): Promise<NodeTlsClient> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    const listeners = new Set<() => void>()
    let closed = false
    const socket = connect({
      host: "127.0.0.1",
      port,
      servername: "localhost",
      ca: [pki.root.certPem],
      minVersion: "TLSv1.3",
      ...(options.cert === undefined ? {} : { cert: options.cert.chainPem, key: options.cert.keyPem }),
      ...options.tls,
    })
    const notify = (): void => {
      for (const listener of listeners) listener()
    }
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk)
      notify()
    })
    const ended = new Promise<void>((done) => socket.once("end", () => done()))
    const gone = new Promise<void>((done) =>
      socket.once("close", () => {
        closed = true
        notify()
        done()
      }),
    )
    socket.once("error", reject)
    const receivedBytes = (): Uint8Array => new Uint8Array(Buffer.concat(chunks))
    const received = (): string => Buffer.concat(chunks).toString("utf8")
    const waitFor = (until: string | { readonly length: number }, timeoutMs = 10_000): Promise<void> =>
      new Promise((done, fail) => {
        const check = (): void => {
          const met = typeof until === "string" ? received().includes(until) : receivedBytes().length >= until.length
          if (!met && !closed) return
          clearTimeout(timer)
          listeners.delete(check)
          if (met) done()
          else fail(peerError("Exited", `connection closed before ${JSON.stringify(until)} arrived`, received()))
        }
        const timer = setTimeout(() => {
          listeners.delete(check)
          fail(peerError("Timeout", `${JSON.stringify(until)} did not arrive within ${timeoutMs} ms`, received()))
        }, timeoutMs)
        listeners.add(check)
        check()
      })
    socket.once("secureConnect", () => {
      socket.off("error", reject)
      socket.on("error", () => {})
      resolve({
        socket,
        received,
        receivedBytes,
        waitFor,
        ended,
        close: () => {
          socket.end()
          return gone
        },
      })
    })
  })

/** Runs `openssl s_client -brief` against `127.0.0.1:port`, trusting the test root, checking "localhost". */
export const startOpensslClient = (
  pki: TestPki,
  port: number,
  args: ReadonlyArray<string> = [],
): Promise<PeerProcess> =>
  spawnPeer({
    name: "openssl s_client",
    command: "openssl",
    args: [
      "s_client",
      "-connect",
      `127.0.0.1:${port}`,
      "-servername",
      "localhost",
      "-verify_hostname",
      "localhost",
      "-CAfile",
      pki.root.certPath,
      "-verify_return_error",
      "-brief",
      ...args,
    ],
  })

/** Runs `gnutls-cli` against `127.0.0.1:port`, trusting the test root (the certificate names IP 127.0.0.1). */
export const startGnutlsClient = (pki: TestPki, port: number, args: ReadonlyArray<string> = []): Promise<PeerProcess> =>
  spawnPeer({
    name: "gnutls-cli",
    command: "gnutls-cli",
    args: ["-p", String(port), "--x509cafile", pki.root.certPath, ...args, "127.0.0.1"],
    installHint: "apt-get install -y gnutls-bin",
  })
