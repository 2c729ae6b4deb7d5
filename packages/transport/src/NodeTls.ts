/**
 * `NodeTls.connect`: the common case on Node. A TCP connection through `node:net` (see
 * netWire.ts for why not the platform `Socket`), TLS over it, the system's roots
 * (`tls.rootCertificates`) as default trust, and a choice of crypto layer.
 *
 * @since 0.1.0
 */
import { rootCertificates } from "node:tls"
import type { CleanShutdown, Fatal } from "@effect-tls/core"
import { makeNobleCrypto, systemRandom, type TlsCryptoService } from "@effect-tls/crypto"
import { makeNodeCrypto, nodeRandom } from "@effect-tls/crypto/node"
import { Effect, type Scope } from "effect"
import { openNetWire } from "./netWire.js"
import type { TlsOptionsInput } from "./Options.js"
import { type ConnectExtras, connectWireWith, type GivenServices } from "./Tls.js"
import type { TlsConnection } from "./TlsConnection.js"

/** Options of `NodeTls.connect`. @since 0.1.0 */
export interface NodeTlsOptions extends TlsOptionsInput {
  readonly host: string
  readonly port: number
  /** The crypto layer (default: a `TlsCrypto` in context, else noble). */
  readonly crypto?: "noble" | "node"
}

/** The service of a crypto layer, made once: building a layer per connection costs more than it should. */
const once = (make: () => TlsCryptoService) => {
  let service: TlsCryptoService | undefined
  return () => (service ??= make())
}
const nodeService = once(() => makeNodeCrypto(nodeRandom))
const nobleService = once(() => makeNobleCrypto(systemRandom))

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
  const given: GivenServices = {
    systemRoots: rootCertificates,
    ...(crypto === undefined ? {} : { crypto: crypto === "node" ? nodeService() : nobleService() }),
  }
  return Effect.flatMap(openNetWire(host, port), (wire) =>
    connectWireWith(wire, { serverName: host, ...tlsOptions }, extras ?? {}, given),
  )
}
