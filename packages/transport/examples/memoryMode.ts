/**
 * Example: memory mode, the non-blocking BIO of SSL_connect(3). The engine never touches
 * a socket: the caller drains its output, delivers it to the peer however it likes, feeds
 * back what the peer answered, and retries on `WantRead`/`WantWrite`.
 */
import { defaultConfig, type EngineRequirements, isWant, makeEngine, type TlsEngine } from "@effect-tls/core"
import { Effect } from "effect"

/** Moves bytes between the engine and a peer reachable through `exchange` (send, then collect the answer). */
const pump = (engine: TlsEngine, exchange: (bytes: Uint8Array) => Effect.Effect<Uint8Array>) =>
  Effect.flatMap(engine.drain, (out) => Effect.flatMap(exchange(out), engine.feed))

export const handshakeInMemory = (
  serverName: string,
  exchange: (bytes: Uint8Array) => Effect.Effect<Uint8Array>,
): Effect.Effect<TlsEngine, unknown, EngineRequirements> =>
  Effect.gen(function* () {
    const engine = yield* makeEngine({ config: defaultConfig(serverName) })
    yield* engine.connect.pipe(
      Effect.tapError((error) => (isWant(error) ? pump(engine, exchange) : Effect.void)),
      Effect.retry({ while: isWant, times: 50 }),
    )
    yield* pump(engine, exchange) // our Finished
    return engine
  })
