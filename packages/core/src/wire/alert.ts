/**
 * The alert message codec (RFC 8446 section 6): a level byte and a description byte,
 * exactly two bytes. Both stay plain numbers, so unknown values round-trip; what they mean
 * for the connection is the state machine's decision.
 *
 * @since 0.1.0
 */
import type { Either } from "effect"
import { AlertDescription } from "./codes.js"
import { type DecodeError, decodeWith, fail } from "./reader.js"

/** An alert as sent on the wire. @since 0.1.0 */
export interface Alert {
  readonly level: number
  readonly description: number
}

/**
 * Decodes an alert record's plaintext; anything but exactly two bytes is decode_error.
 *
 * @since 0.1.0
 */
export const decodeAlert = (bytes: Uint8Array): Either.Either<Alert, DecodeError> =>
  decodeWith(bytes, (r) => {
    if (r.remaining !== 2) fail(AlertDescription.decode_error, `alert of ${r.remaining} bytes, expected 2`)
    return { level: r.u8(), description: r.u8() }
  })

/**
 * Encodes an alert as its two bytes.
 *
 * @since 0.1.0
 */
export const encodeAlert = (alert: Alert): Uint8Array => Uint8Array.of(alert.level & 0xff, alert.description & 0xff)
