/**
 * Maps failures of the crypto service inside the handshake to the alert we send: a bad
 * peer key share is illegal_parameter, a signature that does not verify decrypt_error, and
 * anything else (a key schedule step that cannot fail with good inputs) internal_error.
 *
 * @since 0.1.0
 */
import { type CryptoError, inlineMapError } from "@effect-tls/crypto"
import type { Effect } from "effect"
import { alertSent, type Fatal } from "../errors.js"
import { AlertDescription } from "../wire/codes.js"

/**
 * `effect` with its crypto failures turned into a `Fatal`; `alert` overrides the alert for
 * every failure (e.g. illegal_parameter for a peer's key share).
 *
 * @since 0.1.0
 */
export const cryptoFailure = <A, R>(
  effect: Effect.Effect<A, CryptoError, R>,
  alert?: number,
): Effect.Effect<A, Fatal, R> =>
  inlineMapError(effect, (error) =>
    alertSent(
      alert ??
        (error._tag === "BadSignature"
          ? AlertDescription.decrypt_error
          : error._tag === "InvalidPeerShare"
            ? AlertDescription.illegal_parameter
            : AlertDescription.internal_error),
      error.message,
    ),
  )
