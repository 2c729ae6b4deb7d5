/**
 * A client state machine and a scripted server, stepped together in memory: whatever one
 * sends is given to the other until both are quiet. Tests that build hostile flights take
 * the server's answer with `flight` and hand it to the client themselves with `deliver`.
 */
import { concatBytes, type TlsCrypto } from "@effect-tls/crypto"
import { TestingCrypto } from "@effect-tls/crypto/testing"
import { Effect, Layer } from "effect"
import type { Fatal } from "../../src/errors.js"
import { start, step } from "../../src/handshake/client.js"
import type { ClientConfig } from "../../src/handshake/config.js"
import { type ClientState, Input, type Output } from "../../src/handshake/state.js"
import { type CertificateVerifier, InsecureAcceptAnyCertificate } from "../../src/handshake/verifier.js"
import type { ServerOptions } from "./options.js"
import type { ServerError } from "./recordLayer.js"
import { ScriptedServer } from "./server.js"

/** What the client needs: the deterministic testing crypto (seeded) and the accept-all verifier. */
export const clientLayer = (seed?: string): Layer.Layer<TlsCrypto | CertificateVerifier> =>
  Layer.merge(
    TestingCrypto.layer({ provider: "node", ...(seed === undefined ? {} : { script: { seed } }) }),
    InsecureAcceptAnyCertificate,
  )

/** The bytes of every Send output, concatenated. */
export const sentBytes = (outputs: ReadonlyArray<Output>): Uint8Array =>
  concatBytes(...outputs.flatMap((o) => (o._tag === "Send" ? [o.bytes] : [])))

/** A client and a scripted server. */
export class Pair {
  /** Every output of the client so far, in order. */
  readonly outputs: Array<Output> = []

  private constructor(
    public state: ClientState,
    readonly server: ScriptedServer,
    /** Client bytes not yet given to the server. */
    private pending: Uint8Array,
  ) {}

  /** A started client (its ClientHello not yet given to the server) and a server with `options`. */
  static start(config: ClientConfig, options: ServerOptions = {}): Effect.Effect<Pair, Fatal | ServerError, TlsCrypto> {
    return Effect.gen(function* () {
      const [state, outputs] = yield* start(config)
      const pair = new Pair(state, yield* ScriptedServer.make(options), sentBytes(outputs))
      pair.outputs.push(...outputs)
      return pair
    })
  }

  /** A pair that ran the handshake as far as it goes. */
  static connect(
    config: ClientConfig,
    options: ServerOptions = {},
  ): Effect.Effect<Pair, Fatal | ServerError, TlsCrypto | CertificateVerifier> {
    return Effect.gen(function* () {
      const pair = yield* Pair.start(config, options)
      yield* pair.deliver(yield* pair.flight())
      return pair
    })
  }

  /** Gives the server what the client sent and returns the server's answer, not yet delivered. */
  flight(): Effect.Effect<Uint8Array, ServerError> {
    return Effect.suspend(() => {
      const bytes = this.pending
      this.pending = new Uint8Array(0)
      return this.server.receive(bytes)
    })
  }

  /** Steps the client once with server bytes; what it sends waits for the next `flight`. */
  receive(bytes: Uint8Array): Effect.Effect<ReadonlyArray<Output>, Fatal, TlsCrypto | CertificateVerifier> {
    return this.apply(Input.Received({ bytes }))
  }

  /** Steps the client with server bytes, then exchanges until quiet; the client's outputs of it all. */
  deliver(
    bytes: Uint8Array,
  ): Effect.Effect<ReadonlyArray<Output>, Fatal | ServerError, TlsCrypto | CertificateVerifier> {
    return this.input(Input.Received({ bytes }))
  }

  /** Steps the client with `input`, then exchanges until quiet; the client's outputs of it all. */
  input(input: Input): Effect.Effect<ReadonlyArray<Output>, Fatal | ServerError, TlsCrypto | CertificateVerifier> {
    return Effect.gen(this, function* () {
      const outputs: Array<Output> = []
      let next: Input | undefined = input
      while (next !== undefined) {
        outputs.push(...(yield* this.apply(next)))
        const reply = this.pending.length === 0 ? this.pending : yield* this.flight()
        next = reply.length === 0 ? undefined : Input.Received({ bytes: reply })
      }
      return outputs
    })
  }

  /** One client step; its outputs are recorded and what it sends is kept for the server. */
  private apply(input: Input): Effect.Effect<ReadonlyArray<Output>, Fatal, TlsCrypto | CertificateVerifier> {
    return Effect.map(step(this.state, input), ([state, outputs]) => {
      this.state = state
      this.outputs.push(...outputs)
      this.pending = concatBytes(this.pending, sentBytes(outputs))
      return outputs
    })
  }
}
