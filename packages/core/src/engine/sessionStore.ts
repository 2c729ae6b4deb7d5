/**
 * The session-ticket hook: NewSessionTicket messages (with the resumption PSK they stand
 * for) are handed to this service when it is provided. Resumption itself is future work;
 * the hook lets an application keep tickets now.
 *
 * @since 0.1.0
 */
import { Context, type Effect } from "effect"
import type { NewSessionTicket } from "../wire/handshake.js"

/** A ticket received from a server. @since 0.1.0 */
export interface ReceivedTicket {
  readonly serverName: string | undefined
  readonly ticket: NewSessionTicket
  /** The resumption PSK (RFC 8446 section 4.6.1): secret. */
  readonly psk: Uint8Array
  readonly suite: string
}

/** The session-store service. @since 0.1.0 */
export interface SessionStoreService {
  readonly store: (ticket: ReceivedTicket) => Effect.Effect<void>
}

/**
 * The session-store service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class SessionStore extends Context.Tag("@effect-tls/core/SessionStore")<SessionStore, SessionStoreService>() {}
