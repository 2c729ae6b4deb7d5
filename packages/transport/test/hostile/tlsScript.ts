/**
 * Fake-server scripts that speak TLS 1.3 through the core's scripted server (sans-IO test
 * code in `packages/core/test/server/`): every byte the client sends is given to the
 * scripted server, and its answers go out through a delivery the test chooses (at once,
 * rewritten, trickled, cut short, followed by a close or a reset). The scripted server
 * decrypts what the client sends, so the alerts we sent are known even under handshake or
 * application keys.
 */
import { Wire } from "@effect-tls/core"
import { Effect } from "effect"
import type { ServerOptions } from "../../../core/test/server/options.js"
import type { ServerError } from "../../../core/test/server/recordLayer.js"
import { ScriptedServer } from "../../../core/test/server/server.js"
import type { FakeConnection, FakePeer, Script } from "./fakeServer.js"

/** What a TLS script does besides answering like the scripted server. */
export interface TlsScript {
  /** The scripted server's choices and misbehaviour hooks. */
  readonly server?: ServerOptions
  /** Rewrites the answer to the client's `n`-th flight (0: the first ClientHello). */
  readonly rewrite?: (answer: Uint8Array, n: number) => Uint8Array
  /** Sends an answer (default: all at once). */
  readonly deliver?: (peer: FakePeer, answer: Uint8Array, n: number) => Effect.Effect<void>
  /** Runs once the client's Finished has arrived (the handshake is done on both sides). */
  readonly established?: (peer: FakePeer, server: ScriptedServer) => Effect.Effect<void, ServerError>
  /** Answers the client's close_notify with ours and a FIN, as servers do (default true). */
  readonly answerClose?: boolean
}

const servers = new WeakMap<FakeConnection, ScriptedServer>()
const failures = new WeakMap<FakeConnection, ServerError>()

/** The scripted server that ran `connection`, if a TLS script did. */
export const scriptedServerOf = (connection: FakeConnection): ScriptedServer | undefined => servers.get(connection)

/** Why the scripted server gave up on `connection`, if it did (what the client sent did not make sense to it). */
export const scriptedServerFailure = (connection: FakeConnection): ServerError | undefined => failures.get(connection)

const isCloseNotify = (alert: { readonly description: number }) =>
  alert.description === Wire.AlertDescription.close_notify

/** A script running the scripted TLS 1.3 server as `script` says, until the client closes. */
export const tlsServer =
  (script: TlsScript = {}): Script =>
  (peer) =>
    Effect.gen(function* () {
      const server = yield* ScriptedServer.make(script.server)
      servers.set(peer.connection, server)
      let flights = 0
      let established = false
      let closing = false
      for (;;) {
        const records = yield* peer.records
        const answer = yield* server.receive(records)
        if (answer.length > 0) {
          const n = flights++
          const bytes = script.rewrite?.(answer, n) ?? answer
          yield* script.deliver === undefined ? peer.send(bytes) : script.deliver(peer, bytes, n)
        }
        if (!established && server.clientTrafficSecret !== undefined) {
          established = true
          if (script.established !== undefined) yield* script.established(peer, server)
        }
        if (!closing && script.answerClose !== false && server.alerts.some(isCloseNotify)) {
          closing = true
          yield* peer.send(yield* server.close())
          yield* peer.end
        }
      }
    }).pipe(
      Effect.catchTags({
        ClientGone: () => Effect.void,
        ServerError: (error) =>
          Effect.zipRight(
            Effect.sync(() => failures.set(peer.connection, error)),
            peer.closed,
          ),
      }),
    )
