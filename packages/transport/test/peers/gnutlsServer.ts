// `gnutls-serv` as a test peer. It cannot bind one address or report a port, so the helper picks
// a free port, starts it there, and retries on another port when the IPv4 bind fails. It
// listens on every address; connect at 127.0.0.1.
import type { Effect, Scope } from "effect"
import { type CertKeyPair, getTestPki } from "./certs.js"
import { type PeerError, peerError } from "./errors.js"
import { spawnPeer } from "./peerProcess.js"
import { type AsyncPeerServer, type PeerServer, scopedServer, withFreePort } from "./peerServer.js"

/** Options of `startGnutlsServer`. */
export interface GnutlsServerOptions {
  /** Certificate chain and key to serve (default: the test PKI's ECDSA P-256 leaf). */
  readonly cert?: CertKeyPair
  /** `echo` (default) sends back what it receives; `http` answers HTTP requests with a status page. */
  readonly mode?: "echo" | "http"
  /** A GnuTLS priority string, e.g. "NORMAL:-VERS-ALL:+VERS-TLS1.3" (default: GnuTLS's own). */
  readonly priority?: string
  /** Listen on this port instead of a free one (no retry: a taken port fails with `PortInUse`). */
  readonly port?: number
  /** Extra flags, e.g. `["--x509cafile", path, "--require-client-cert"]`. Sets `-p` itself. */
  readonly args?: ReadonlyArray<string>
  /** How long to wait for the listening line (default 10 s). */
  readonly startTimeoutMs?: number
}

const installHint = "apt-get install -y gnutls-bin"

const startOn = async (port: number, cert: CertKeyPair, options: GnutlsServerOptions): Promise<AsyncPeerServer> => {
  const server = await spawnPeer({
    name: "gnutls-serv",
    command: "gnutls-serv",
    args: [
      "-p",
      String(port),
      `--${options.mode ?? "echo"}`,
      "--x509certfile",
      cert.chainPath,
      "--x509keyfile",
      cert.keyPath,
      ...(options.priority === undefined ? [] : ["--priority", options.priority]),
      ...(options.args ?? []),
    ],
    installHint,
  })
  try {
    // "Echo Server listening on IPv4 0.0.0.0 port 5556...done" or "...bind() failed: Address already in use"
    const line = await server.waitForOutput(/listening on IPv4 \S+ port \d+\.\.\.([^\n]*)\n/, {
      timeoutMs: options.startTimeoutMs ?? 10_000,
    })
    const result = line[1] ?? ""
    if (result.startsWith("done")) return { ...server, host: "127.0.0.1", port }
    throw peerError(
      /in use/i.test(result) ? "PortInUse" : "StartFailed",
      `gnutls-serv could not listen: ${result}`,
      server.output(),
    )
  } catch (error) {
    await server.stop()
    throw error
  }
}

/**
 * Starts `gnutls-serv` and resolves once it listens on 127.0.0.1. Fails with a `PeerError`
 * (`NotInstalled`) naming the apt package when gnutls-serv is missing. Call `stop()` when done.
 */
export const startGnutlsServerAsync = async (options: GnutlsServerOptions = {}): Promise<AsyncPeerServer> => {
  const cert = options.cert ?? (await getTestPki()).leaves.ecdsaP256
  return options.port === undefined
    ? withFreePort((port) => startOn(port, cert, options))
    : startOn(options.port, cert, options)
}

/** `startGnutlsServerAsync` as a scoped Effect: the server stops when the scope closes. */
export const startGnutlsServer = (
  options: GnutlsServerOptions = {},
): Effect.Effect<PeerServer, PeerError, Scope.Scope> => scopedServer(() => startGnutlsServerAsync(options))
