/**
 * The key log: each traffic secret in NSS key log format (SSLKEYLOGFILE), so that
 * Wireshark or tshark can decrypt a capture of our connections. A service: the transport
 * offers a file layer; without the service nothing is logged.
 *
 * @since 0.1.0
 */
import { Context, type Effect } from "effect"
import type { KeyLogLabel } from "../handshake/state.js"

/** The key-log service: receives one NSS key log line at a time. @since 0.1.0 */
export interface KeyLogService {
  readonly log: (line: string) => Effect.Effect<void>
}

/**
 * The key-log service tag. Secrets written there decrypt the connection: use it for
 * debugging only.
 *
 * @since 0.1.0
 * @category tags
 */
export class KeyLog extends Context.Tag("@effect-tls/core/KeyLog")<KeyLog, KeyLogService>() {}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")

/** One NSS key log line: `LABEL <client random hex> <secret hex>`. @since 0.1.0 */
export const keyLogLine = (label: KeyLogLabel, clientRandom: Uint8Array, secret: Uint8Array): string =>
  `${label} ${hex(clientRandom)} ${hex(secret)}`
