// `openssl s_server` as a test peer: started on 127.0.0.1 on a port it picks itself (it prints
// "ACCEPT 127.0.0.1:PORT", so there is no race for the port), with any extra flags, stdin
// kept open (s_server quits on stdin EOF) for commands like "k" (send a KeyUpdate).
import { Effect, type Scope } from "effect"
import { type CertKeyPair, getTestPki } from "./certs.js"
import { type PeerError, peerError, toPeerError } from "./errors.js"
import { spawnPeer } from "./peerProcess.js"
import { type AsyncPeerServer, type PeerServer, scopedServer } from "./peerServer.js"

/** Options of `startOpensslServer`. */
export interface OpensslServerOptions {
  /** Certificate, key and intermediates to serve (default: the test PKI's ECDSA P-256 leaf). */
  readonly cert?: CertKeyPair
  /**
   * Extra `s_server` flags, e.g. `["-tls1_3", "-groups", "P-384"]`, `["-Verify", "1", "-CAfile", path]`,
   * `["-rev"]`, `["-www"]`. The helper sets `-accept`, `-cert`, `-key` and `-cert_chain`; do not pass
   * `-quiet` (it hides the ACCEPT line the helper waits for).
   */
  readonly args?: ReadonlyArray<string>
  /** The server's working directory: where `-WWW`/`-HTTP` look up the files clients ask for. */
  readonly cwd?: string
  /** How long to wait for the ACCEPT line (default 10 s). */
  readonly startTimeoutMs?: number
}

/**
 * Starts `openssl s_server` and resolves once it accepts connections. In the default mode it
 * prints what the client sends on stdout and sends each `send(line)` to the client; one-letter
 * lines are commands ("k"/"K" KeyUpdate without/with update_requested, "q" end the connection,
 * "Q" quit). s_server reads stdin in chunks and drops the rest of a chunk that starts with a
 * command, so wait for a command's effect before sending more (see `sendKeyUpdateAsync`), and
 * send commands only once the handshake is done (the output then has "CIPHER is").
 * Call `stop()` when done.
 */
export const startOpensslServerAsync = async (options: OpensslServerOptions = {}): Promise<AsyncPeerServer> => {
  const cert = options.cert ?? (await getTestPki()).leaves.ecdsaP256
  const chain = cert.intermediatesPath === undefined ? [] : ["-cert_chain", cert.intermediatesPath]
  const server = await spawnPeer({
    name: "openssl s_server",
    command: "openssl",
    args: [
      "s_server",
      "-accept",
      "127.0.0.1:0",
      "-cert",
      cert.certPath,
      "-key",
      cert.keyPath,
      ...chain,
      ...(options.args ?? []),
    ],
    installHint: "apt-get install -y openssl",
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  })
  try {
    const accept = await server.waitForOutput(/^ACCEPT \S*:(\d+)$/m, { timeoutMs: options.startTimeoutMs ?? 10_000 })
    return { ...server, host: "127.0.0.1", port: Number(accept[1]) }
  } catch (error) {
    await server.stop()
    throw error
  }
}

/** `startOpensslServerAsync` as a scoped Effect: the server stops when the scope closes. */
export const startOpensslServer = (
  options: OpensslServerOptions = {},
): Effect.Effect<PeerServer, PeerError, Scope.Scope> => scopedServer(() => startOpensslServerAsync(options))

/**
 * Makes the server send a KeyUpdate on the current connection ("k", or "K" to also request
 * the client's) and resolves once it has gone out. Needs a server started with `-msg`, whose
 * trace shows the KeyUpdate; later `send` lines are then safe from being dropped.
 */
export const sendKeyUpdateAsync = async (server: AsyncPeerServer, requestUpdate = false): Promise<void> => {
  if (!server.args.includes("-msg")) throw peerError("StartFailed", "sendKeyUpdate needs an s_server started with -msg")
  const since = server.output().length
  await server.send(requestUpdate ? "K" : "k")
  await server.waitForOutput(/>>> TLS 1\.3, Handshake \[length [0-9a-f]+\], KeyUpdate/, { since })
}

/** `sendKeyUpdateAsync` as an Effect. */
export const sendKeyUpdate = (server: PeerServer, requestUpdate = false): Effect.Effect<void, PeerError> =>
  Effect.tryPromise({ try: () => sendKeyUpdateAsync(server.async, requestUpdate), catch: toPeerError })
