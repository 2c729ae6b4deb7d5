/**
 * `NodeTls.connect`: the common case on Node. A TCP connection through
 * `@effect/platform-node`'s `NodeSocket`, TLS over it, the system's roots
 * (`tls.rootCertificates`) as default trust, and a choice of crypto layer.
 *
 * @since 0.1.0
 */
import { rootCertificates } from "node:tls"
import { NodeSocket } from "@effect/platform-node"
import { type CleanShutdown, Fatal, FatalReason } from "@effect-tls/core"
import { NobleCrypto } from "@effect-tls/crypto"
import { NodeCrypto } from "@effect-tls/crypto/node"
import { Effect, type Scope } from "effect"
import type { TlsOptionsInput } from "./Options.js"
import { type ConnectExtras, connect as connectSocket } from "./Tls.js"
import type { TlsConnection } from "./TlsConnection.js"
import { SystemRoots } from "./trust.js"

/** Options of `NodeTls.connect`. @since 0.1.0 */
export interface NodeTlsOptions extends TlsOptionsInput {
  readonly host: string
  readonly port: number
  /** The crypto layer (default: a `TlsCrypto` in context, else noble). */
  readonly crypto?: "noble" | "node"
}

/**
 * Connects to `host:port` over TCP and runs the TLS handshake. `serverName` defaults to
 * `host`. Scoped: closing the scope sends close_notify and closes the socket.
 *
 * @since 0.1.0
 */
export const connect = (
  options: NodeTlsOptions,
  extras?: ConnectExtras,
): Effect.Effect<TlsConnection, CleanShutdown | Fatal, Scope.Scope> => {
  const { host, port, crypto, ...tlsOptions } = options
  const socket = Effect.mapError(
    NodeSocket.makeNet({ host, port }),
    (cause) => new Fatal({ reason: FatalReason.Io({ detail: `cannot open a socket to ${host}:${port}`, cause }) }),
  )
  const run = Effect.flatMap(socket, (socket) =>
    connectSocket(socket, { serverName: host, ...tlsOptions }, extras),
  ).pipe(Effect.provideService(SystemRoots, rootCertificates))
  return crypto === undefined ? run : Effect.provide(run, crypto === "node" ? NodeCrypto : NobleCrypto)
}
