/**
 * A `KeyLog` layer that appends NSS key log lines to a file (the SSLKEYLOGFILE format that
 * Wireshark and tshark read). The secrets decrypt the traffic: for debugging only.
 *
 * @since 0.1.0
 */
import { appendFileSync } from "node:fs"
import { KeyLog } from "@effect-tls/core"
import { Effect, Layer } from "effect"

/**
 * Appends each key log line to `path` (created with mode 0600 when missing).
 *
 * @since 0.1.0
 * @category layers
 */
export const keyLogFile = (path: string): Layer.Layer<KeyLog> =>
  Layer.succeed(KeyLog, {
    log: (line) =>
      Effect.sync(() => appendFileSync(path, `${line}\n`, { mode: 0o600 })).pipe(
        Effect.catchAllDefect((cause) => Effect.logWarning(`effect-tls: cannot write the key log to ${path}`, cause)),
      ),
  })
