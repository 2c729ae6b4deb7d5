/**
 * Example: composing retries and timeouts instead of writing loops. Transport errors
 * (`Io`) are retried with exponential backoff, at most 3 times; each attempt has its own
 * deadline; certificate and protocol failures are not retried.
 */
import type { Fatal } from "@effect-tls/core"
import { NodeTls } from "@effect-tls/transport"
import { Effect, Schedule } from "effect"

const isTransient = (error: Fatal | { readonly _tag: "CleanShutdown" }) =>
  error._tag === "Fatal" && (error.reason._tag === "Io" || error.reason._tag === "Timeout")

export const connectWithRetry = (host: string, port: number, ca: string) =>
  NodeTls.connect({ host, port, ca, handshakeTimeoutMs: 2_000 }).pipe(
    Effect.retry({
      while: isTransient,
      schedule: Schedule.exponential("50 millis").pipe(Schedule.intersect(Schedule.recurs(3))),
    }),
    Effect.timeout("10 seconds"),
  )
