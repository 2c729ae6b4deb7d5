// Shared pieces of the interop tests: how our client connects to a test peer (trusting the
// test PKI's root, verifying "localhost"), reading from a `TlsConnection` until some text or
// the peer's close_notify arrives (with a real-time limit), and checks on typed failures.
import { expect } from "@effect/vitest"
import { type CleanShutdown, Fatal, FatalReason } from "@effect-tls/core"
import { concatBytes } from "@effect-tls/crypto"
import { Effect, Option, type Scope } from "effect"
import { NodeTls, type TlsConnection } from "../../src/index.js"
import type { TestPki } from "../peers/certs.js"

/** The crypto layers our client can run on. */
export type CryptoLayer = "noble" | "node"

/** A peer listening on loopback (every peer helper's server has these). */
interface Listening {
  readonly host: string
  readonly port: number
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** UTF-8 bytes of `text`. */
export const bytes = (text: string): Uint8Array => encoder.encode(text)

/** `data` decoded as UTF-8. */
export const text = (data: Uint8Array): string => decoder.decode(data)

/**
 * Connects our client to `peer` on `crypto`, trusting the test root and verifying the name
 * "localhost" (sent as SNI). `options` add to or override those defaults.
 */
export const connectTo = (
  pki: TestPki,
  peer: Listening,
  crypto: CryptoLayer,
  options: Omit<NodeTls.NodeTlsOptions, "host" | "port" | "crypto"> = {},
): Effect.Effect<TlsConnection, CleanShutdown | Fatal, Scope.Scope> =>
  NodeTls.connect({
    host: peer.host,
    port: peer.port,
    crypto,
    serverName: "localhost",
    ca: pki.root.certPem,
    handshakeTimeoutMs: 10_000,
    ...options,
  })

/** A read that did not see what it waited for in time. */
const readTimeout = (what: string, got: Uint8Array) =>
  new Fatal({
    reason: FatalReason.Timeout({ detail: `no ${what} within the time limit; got ${JSON.stringify(text(got))}` }),
  })

/**
 * Reads until the text received so far contains `expected`; resolves with everything read.
 * Fails when the peer closes first or `timeoutMs` (real time) passes.
 */
export const readUntil = (
  connection: TlsConnection,
  expected: string,
  timeoutMs = 5_000,
): Effect.Effect<string, Fatal> => {
  const chunks: Array<Uint8Array> = []
  const loop: Effect.Effect<string, Fatal> = Effect.flatMap(connection.read, (next) => {
    if (Option.isNone(next)) {
      return Effect.fail(readTimeout(`${JSON.stringify(expected)} before close_notify`, concatBytes(...chunks)))
    }
    chunks.push(next.value)
    const received = text(concatBytes(...chunks))
    return received.includes(expected) ? Effect.succeed(received) : loop
  })
  return Effect.timeoutFail(loop, {
    duration: timeoutMs,
    onTimeout: () => readTimeout(JSON.stringify(expected), concatBytes(...chunks)),
  })
}

/** Reads exactly `length` bytes (fails when the peer closes first or `timeoutMs` of real time passes). */
export const readBytes = (
  connection: TlsConnection,
  length: number,
  timeoutMs = 10_000,
): Effect.Effect<Uint8Array, Fatal> => {
  const chunks: Array<Uint8Array> = []
  let received = 0
  const loop: Effect.Effect<Uint8Array, Fatal> = Effect.flatMap(connection.read, (next) => {
    if (Option.isNone(next))
      return Effect.fail(readTimeout(`${length} bytes before close_notify`, concatBytes(...chunks)))
    chunks.push(next.value)
    received += next.value.length
    return received >= length ? Effect.succeed(concatBytes(...chunks)) : loop
  })
  return Effect.timeoutFail(loop, {
    duration: timeoutMs,
    onTimeout: () => readTimeout(`${length} bytes (got ${received})`, new Uint8Array(0)),
  })
}

/** Reads everything until the peer's close_notify (fails after `timeoutMs` of real time). */
export const readToEnd = (connection: TlsConnection, timeoutMs = 20_000): Effect.Effect<Uint8Array, Fatal> => {
  const chunks: Array<Uint8Array> = []
  const loop: Effect.Effect<Uint8Array, Fatal> = Effect.flatMap(connection.read, (next) => {
    if (Option.isNone(next)) return Effect.succeed(concatBytes(...chunks))
    chunks.push(next.value)
    return loop
  })
  return Effect.timeoutFail(loop, {
    duration: timeoutMs,
    onTimeout: () => readTimeout("close_notify", concatBytes(...chunks)),
  })
}

/** Asserts that `error` is a `Fatal` whose reason has `tag`, and returns that reason. */
export const expectFatal = <Tag extends Fatal["reason"]["_tag"]>(
  error: CleanShutdown | Fatal,
  tag: Tag,
): Extract<Fatal["reason"], { _tag: Tag }> => {
  expect(error._tag, error.message).toBe("Fatal")
  const reason = (error as Fatal).reason
  expect(reason._tag, error.message).toBe(tag)
  return reason as Extract<Fatal["reason"], { _tag: Tag }>
}

/** Lower-case hex of `data`. */
export const hex = (data: Uint8Array): string => Buffer.from(data).toString("hex")
