/**
 * The effect-tls clients of the comparison, one per crypto layer: `NodeTls.connect` (the
 * common case on Node: TCP through node:net), on a runtime that holds the layer (built once,
 * as an application would).
 * Reading is one Effect loop over `TlsConnection.readChunks` (one chunk per record, as
 * node:tls hands its `data` events, with no join).
 */
import { NobleCrypto, type TlsCrypto } from "@effect-tls/crypto"
import { NodeCrypto } from "@effect-tls/crypto/node"
import { WebCrypto } from "@effect-tls/crypto/webcrypto"
import { NodeTls, type TlsConnection } from "@effect-tls/transport"
import { Effect, Exit, type Layer, ManagedRuntime, Option, Scope } from "effect"
import { type BenchClient, type BenchGroup, type BenchStream, host, type LayerName, serverName } from "./clients.js"

/** The crypto layers of effect-tls, by the name the results use. */
export const effectLayers: Readonly<Record<LayerName, Layer.Layer<TlsCrypto>>> = {
  noble: NobleCrypto,
  node: NodeCrypto,
  webcrypto: WebCrypto,
}

const groupName: Readonly<Record<BenchGroup, "x25519" | "secp256r1">> = { x25519: "x25519", "P-256": "secp256r1" }

/**
 * effect-tls with the `layer` crypto layer, for the bench root; `crypto` replaces the layer's
 * service (the breakdown section passes a timed one).
 */
export const effectTlsClient = (
  layer: LayerName,
  rootPem: string,
  crypto: Layer.Layer<TlsCrypto> = effectLayers[layer],
): BenchClient => {
  const runtime = ManagedRuntime.make(crypto)
  const connectTo = (port: number, group: BenchGroup) =>
    NodeTls.connect({ host, port, serverName, ca: rootPem, groups: [groupName[group]] })
  const streamOf = (connection: TlsConnection): BenchStream => ({
    write: (bytes) => runtime.runPromise(connection.write(bytes)),
    readToEnd: (onChunk) =>
      runtime.runPromise(
        Effect.gen(function* () {
          for (;;) {
            const next = yield* connection.readChunks
            if (Option.isNone(next)) return
            for (const chunk of next.value) onChunk(chunk)
          }
        }),
      ),
  })
  return {
    name: `effect-tls/${layer}`,
    groups: ["x25519", "P-256"],
    chacha: true,
    session: (port, group, use) =>
      runtime.runPromise(
        Effect.scoped(
          Effect.flatMap(connectTo(port, group), (connection) => Effect.promise(() => use(streamOf(connection)))),
        ),
      ),
    open: async (port, group) => {
      const scope = runtime.runSync(Scope.make())
      try {
        await runtime.runPromise(Scope.extend(connectTo(port, group), scope))
      } catch (error) {
        await runtime.runPromise(Scope.close(scope, Exit.void))
        throw error
      }
      return () => runtime.runPromise(Scope.close(scope, Exit.void))
    },
    dispose: () => runtime.dispose(),
  }
}
