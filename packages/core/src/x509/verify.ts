/**
 * Verification of a server's certificate chain, as a TLS client does it: parse what the
 * server sent, check the leaf, build and check a path to a trust anchor, then check the
 * server's identity. Time comes from Effect's `Clock`; signatures are checked through
 * `TlsCrypto`. Every failure is a `Fatal` with a `Certificate` reason.
 *
 * @since 0.1.0
 */
import { inlineCurrentTimeMillis, inlineGen, inlineMapError, type TlsCrypto } from "@effect-tls/crypto"
import { Effect, Either } from "effect"
import type { Fatal } from "../errors.js"
import { type Certificate, type CertificateParseError, parseCertificate } from "./certificate.js"
import { matchesServerIdentity, type ServerIdentity } from "./hostname.js"
import { formatIpAddress } from "./ip.js"
import { buildPath, type TrustAnchor } from "./path.js"
import { defaultVerificationPolicy, type VerificationPolicy } from "./policy.js"
import { type CertificateProblem, fatalOf, problem } from "./problem.js"
import { checkCertificate } from "./profile.js"

/** What `verifyServerChain` is asked. @since 0.1.0 */
export interface VerifyServerChainOptions {
  /** The server's certificates (DER) as sent: the leaf first, then others in any order. */
  readonly chain: ReadonlyArray<Uint8Array>
  readonly anchors: ReadonlyArray<TrustAnchor>
  /** The identity to check; without one, only the path is verified. */
  readonly serverName?: ServerIdentity | undefined
  /** Changes to `defaultVerificationPolicy`. */
  readonly policy?: Partial<VerificationPolicy> | undefined
}

/** A verified chain. @since 0.1.0 */
export interface VerifiedChain {
  /** The path used: the leaf first, the trust anchor's certificate last. */
  readonly path: ReadonlyArray<Certificate>
  readonly anchor: TrustAnchor
}

/**
 * A trust anchor made from a DER certificate. The certificate must parse; whether it
 * may serve as an anchor (a CA, valid, with a strong key, no unknown critical extension,
 * ...) is checked when a path uses it.
 *
 * @since 0.1.0
 */
export const trustAnchorFromCertificate = (der: Uint8Array): Either.Either<TrustAnchor, CertificateParseError> =>
  Either.map(parseCertificate(der), (certificate) => ({ certificate }))

const describeIdentity = (identity: ServerIdentity): string =>
  identity._tag === "Dns" ? identity.name : formatIpAddress(identity.bytes)

const parseChain = (
  chain: ReadonlyArray<Uint8Array>,
): Either.Either<ReadonlyArray<Certificate>, CertificateProblem> => {
  if (chain.length === 0)
    return Either.left({ code: "Malformed", subject: "", detail: "the server sent no certificate" })
  const certificates: Array<Certificate> = []
  for (const [index, der] of chain.entries()) {
    const parsed = parseCertificate(der)
    if (Either.isLeft(parsed)) {
      return Either.left({ code: "Malformed", subject: "", detail: `certificate ${index}: ${parsed.left.detail}` })
    }
    certificates.push(parsed.right)
  }
  return Either.right(certificates)
}

/**
 * Verifies a server's chain: every certificate parses; the leaf passes the end-entity
 * checks; a path through the other certificates reaches one of `anchors` with every
 * signature, validity period, CA constraint, key usage, path length and name constraint
 * in order; and the leaf proves `serverName` (when given). Fails with `Fatal` whose
 * reason is `Certificate` with the code and the subject of the certificate at fault.
 *
 * @since 0.1.0
 */
export const verifyServerChain = (options: VerifyServerChainOptions): Effect.Effect<VerifiedChain, Fatal, TlsCrypto> =>
  inlineMapError(verifyChain(options), fatalOf)

const verifyChain = (options: VerifyServerChainOptions): Effect.Effect<VerifiedChain, CertificateProblem, TlsCrypto> =>
  inlineGen(() => verifyChainSteps(options))

/** The steps of `verifyChain` (a generator made once: see inline.ts on generator closures). */
function* verifyChainSteps(options: VerifyServerChainOptions) {
  const policy = { ...defaultVerificationPolicy, ...options.policy }
  const now = yield* inlineCurrentTimeMillis
  const certificates = yield* parseChain(options.chain)
  const [leaf, ...intermediates] = certificates as [Certificate, ...Array<Certificate>]
  const leafProblem = checkCertificate(leaf, "leaf", now, policy)
  if (leafProblem !== undefined) return yield* Effect.fail(leafProblem)
  const found = yield* buildPath({ leaf, intermediates, anchors: options.anchors, now, policy })
  const identity = options.serverName
  if (identity !== undefined && !matchesServerIdentity(leaf, identity)) {
    return yield* Effect.fail(
      problem("HostnameMismatch", leaf, `the certificate is not valid for ${describeIdentity(identity)}`),
    )
  }
  return { path: found.path, anchor: found.anchor }
}
