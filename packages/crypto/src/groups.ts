/**
 * Sizes of the key-agreement groups, shared by every layer.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { isAllZero } from "./bytes.js"
import { InvalidPeerShare } from "./errors.js"
import { inlineGen, inlineMapError, inlineSuspend } from "./inline.js"
import type { KeyAgreementGroup } from "./TlsCrypto.js"

/** Private key sizes in bytes, as drawn with purpose `PrivateKey`. @since 0.1.0 */
export const privateKeyLength = (group: KeyAgreementGroup): number => (group === "secp384r1" ? 48 : 32)

/** The uncompressed SEC1 point length of a NIST group, the only form TLS 1.3 allows. @since 0.1.0 */
export const uncompressedPointLength = (group: "secp256r1" | "secp384r1"): number => (group === "secp256r1" ? 65 : 97)

const allZero = () => new InvalidPeerShare({ detail: "x25519 shared secret is all zero" })

/** A synchronous `compute` as an Effect; what it throws is the failure (no exception wrapper on this path). */
const attempt =
  (compute: (peer: Uint8Array) => Uint8Array) =>
  (peer: Uint8Array): Effect.Effect<Uint8Array, unknown> => {
    try {
      return Effect.succeed(compute(peer))
    } catch (error) {
      return Effect.fail(error)
    }
  }

/**
 * The x25519 agreement with the checks every layer makes: a 32-byte share, and no all-zero
 * result (RFC 8446 section 7.4.2). `compute` may be asynchronous (WebCrypto); any failure of
 * it counts as an all-zero result, which is how providers refuse low-order points.
 *
 * @since 0.1.0
 */
export const agreeX25519Effect = <E>(
  peer: Uint8Array,
  compute: (peer: Uint8Array) => Effect.Effect<Uint8Array, E>,
): Effect.Effect<Uint8Array, InvalidPeerShare> =>
  inlineSuspend(() =>
    peer.length !== 32
      ? Effect.fail(new InvalidPeerShare({ detail: `x25519 share of ${peer.length} bytes` }))
      : inlineGen(() => agreeX25519Steps(peer, compute)),
  )

/** The steps of `agreeX25519Effect` (a generator made once: see inline.ts on generator closures). */
function* agreeX25519Steps<E>(peer: Uint8Array, compute: (peer: Uint8Array) => Effect.Effect<Uint8Array, E>) {
  const shared = yield* inlineMapError(compute(peer), allZero)
  return isAllZero(shared) ? yield* Effect.fail(allZero()) : shared
}

/**
 * `agreeX25519Effect` over a synchronous `compute`, which may throw on bad input.
 *
 * @since 0.1.0
 */
export const agreeX25519 = (
  peer: Uint8Array,
  compute: (peer: Uint8Array) => Uint8Array,
): Effect.Effect<Uint8Array, InvalidPeerShare> => agreeX25519Effect(peer, attempt(compute))

/**
 * ECDH on a NIST group with the checks every layer makes: an uncompressed point of the
 * right length (RFC 8446 section 4.2.8.2). `compute` may be asynchronous (WebCrypto); it
 * fails for a point off the curve.
 *
 * @since 0.1.0
 */
export const agreeNistEffect = <E>(
  group: "secp256r1" | "secp384r1",
  peer: Uint8Array,
  compute: (peer: Uint8Array) => Effect.Effect<Uint8Array, E>,
): Effect.Effect<Uint8Array, InvalidPeerShare> =>
  inlineSuspend(() =>
    peer.length !== uncompressedPointLength(group) || peer[0] !== 0x04
      ? Effect.fail(new InvalidPeerShare({ detail: `${group} share is not an uncompressed point` }))
      : inlineMapError(
          compute(peer),
          () => new InvalidPeerShare({ detail: `${group} share is not a point on the curve` }),
        ),
  )

/**
 * `agreeNistEffect` over a synchronous `compute`, which throws for a point off the curve.
 *
 * @since 0.1.0
 */
export const agreeNist = (
  group: "secp256r1" | "secp384r1",
  peer: Uint8Array,
  compute: (peer: Uint8Array) => Uint8Array,
): Effect.Effect<Uint8Array, InvalidPeerShare> => agreeNistEffect(group, peer, attempt(compute))
