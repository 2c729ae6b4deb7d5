/**
 * Which certificate verifier a connection uses: the explicit insecure mode (loud), the
 * caller's PEM anchors, or the system's roots (from the `SystemRoots` service, which
 * `NodeTls` fills with `tls.rootCertificates`). A verification hook can add checks.
 *
 * @since 0.1.0
 */
import {
  type CertificateVerifierService,
  Fatal,
  FatalReason,
  insecureAcceptAnyCertificate,
  makeWebPkiVerifier,
  X509,
} from "@effect-tls/core"
import type { TlsCrypto } from "@effect-tls/crypto"
import { Context, Effect, Either, Option } from "effect"
import type { TlsOptions } from "./Options.js"

/** The platform's trust anchors, as PEM certificates. @since 0.1.0 */
export class SystemRoots extends Context.Tag("@effect-tls/transport/SystemRoots")<
  SystemRoots,
  ReadonlyArray<string>
>() {}

/**
 * A hook run after the built-in verification (or instead of it in insecure mode), e.g. to
 * pin a key: fail with a `Fatal` (reason `Certificate`, code `Rejected`) to refuse.
 *
 * @since 0.1.0
 */
export type VerifyHook = (peer: {
  readonly chain: ReadonlyArray<Uint8Array>
  readonly serverIdentity: string | undefined
  readonly verified: boolean
}) => Effect.Effect<void, Fatal, TlsCrypto>

const configError = (detail: string) => new Fatal({ reason: FatalReason.Config({ detail }) })

const anchorsFromPem = (pems: ReadonlyArray<string>): Either.Either<ReadonlyArray<X509.TrustAnchor>, Fatal> => {
  const anchors: Array<X509.TrustAnchor> = []
  for (const pem of pems) {
    const blocks = X509.decodePem(pem)
    if (Either.isLeft(blocks)) return Either.left(configError(`trust anchors: ${blocks.left.message}`))
    for (const block of blocks.right) {
      if (block.label !== "CERTIFICATE") continue
      const anchor = X509.trustAnchorFromCertificate(block.der)
      // A system store may hold certificates we cannot parse; skip those rather than fail every connection.
      if (Either.isRight(anchor)) anchors.push(anchor.right)
    }
  }
  return anchors.length === 0 ? Either.left(configError("no usable trust anchor")) : Either.right(anchors)
}

// Parsing ~150 system roots per connection would cost more than the handshake: anchors are
// kept per PEM list (the system roots are one constant array) and per `ca` string.
const byList = new WeakMap<ReadonlyArray<string>, Either.Either<ReadonlyArray<X509.TrustAnchor>, Fatal>>()
const byCa = new Map<string, Either.Either<ReadonlyArray<X509.TrustAnchor>, Fatal>>()
const maxCachedCa = 16

const cachedAnchors = (pems: ReadonlyArray<string>, ca: string | undefined) => {
  if (ca === undefined) {
    let anchors = byList.get(pems)
    if (anchors === undefined) byList.set(pems, (anchors = anchorsFromPem(pems)))
    return anchors
  }
  let anchors = byCa.get(ca)
  if (anchors === undefined) {
    if (byCa.size >= maxCachedCa) byCa.delete(byCa.keys().next().value!)
    byCa.set(ca, (anchors = anchorsFromPem(pems)))
  }
  return anchors
}

const withHook = (base: CertificateVerifierService, hook: VerifyHook | undefined): CertificateVerifierService =>
  hook === undefined
    ? base
    : {
        verify: (request) =>
          Effect.tap(base.verify(request), (result) => hook({ ...request, verified: result.verified })),
      }

/**
 * The verifier for `options`: insecure mode only when asked for by name, else the `ca`
 * anchors, else the system's roots (`systemRoots` when given, else the `SystemRoots` service).
 *
 * @since 0.1.0
 */
export const verifierFor = (
  options: TlsOptions,
  hook: VerifyHook | undefined,
  systemRoots?: ReadonlyArray<string>,
): Effect.Effect<CertificateVerifierService, Fatal> => Effect.gen(() => verifierForSteps(options, hook, systemRoots))

/** The steps of `verifierFor` (a generator made once: see inline.ts on generator closures). */
function* verifierForSteps(
  options: TlsOptions,
  hook: VerifyHook | undefined,
  systemRoots: ReadonlyArray<string> | undefined,
) {
  let base: CertificateVerifierService
  if (options.insecure === true) {
    base = insecureAcceptAnyCertificate
  } else {
    const pems =
      options.ca !== undefined
        ? [options.ca]
        : (systemRoots ?? Option.getOrUndefined(yield* Effect.serviceOption(SystemRoots)))
    if (pems === undefined) {
      return yield* configError("no trust anchors: pass `ca`, provide SystemRoots, or use NodeTls")
    }
    base = makeWebPkiVerifier(yield* cachedAnchors(pems, options.ca))
  }
  return withHook(base, hook)
}
