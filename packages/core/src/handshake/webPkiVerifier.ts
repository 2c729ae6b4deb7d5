/**
 * The certificate verifier that authenticates the server: path building to the given
 * trust anchors, the RFC 5280 / CA/Browser Forum checks and hostname or IP matching
 * (see `x509/`), with time from Effect's `Clock`.
 *
 * @since 0.1.0
 */
import { inlineGen } from "@effect-tls/crypto"
import { Layer } from "effect"
import { serverIdentityFromString } from "../x509/hostname.js"
import type { TrustAnchor } from "../x509/path.js"
import type { VerificationPolicy } from "../x509/policy.js"
import { verifyServerChain } from "../x509/verify.js"
import { CertificateVerifier, type CertificateVerifierService } from "./verifier.js"

/**
 * The verifier over `anchors`, as a service value (for callers that provide it per
 * connection without building a layer). Without a server identity only the path is
 * verified; the transport always passes one.
 *
 * @since 0.1.0
 */
export const makeWebPkiVerifier = (
  anchors: ReadonlyArray<TrustAnchor>,
  policy?: Partial<VerificationPolicy>,
): CertificateVerifierService => ({
  verify: ({ chain, serverIdentity }) => inlineGen(() => verifySteps(chain, serverIdentity, anchors, policy)),
})

/** The steps of a `makeWebPkiVerifier` verification (a generator made once: see inline.ts on generator closures). */
function* verifySteps(
  chain: ReadonlyArray<Uint8Array>,
  serverIdentity: string | undefined,
  anchors: ReadonlyArray<TrustAnchor>,
  policy: Partial<VerificationPolicy> | undefined,
) {
  yield* verifyServerChain({
    chain,
    anchors,
    serverName: serverIdentity === undefined ? undefined : serverIdentityFromString(serverIdentity),
    policy,
  })
  return { verified: true as const }
}

/**
 * `makeWebPkiVerifier` as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const webPkiVerifier = (
  anchors: ReadonlyArray<TrustAnchor>,
  policy?: Partial<VerificationPolicy>,
): Layer.Layer<CertificateVerifier> => Layer.succeed(CertificateVerifier, makeWebPkiVerifier(anchors, policy))
