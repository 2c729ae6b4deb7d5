/**
 * Path building (RFC 4158 in spirit, bounded like Go and rustls): a depth-first search
 * from the leaf through the peer's other certificates, in any order, to a trust anchor.
 * At each step the candidates are the anchors, then the intermediates, whose subject is
 * the current certificate's issuer (those with a matching key identifier first); a
 * candidate is used only if it passes the checks for its role and its key verifies the
 * current certificate's signature, and a complete path only if it also passes the path
 * length and name constraint checks. A failure moves the search on to the next
 * candidate; the number of candidates tried is bounded.
 *
 * @since 0.1.0
 */
import {
  type CryptoError,
  inlineEither,
  inlineGen,
  type SignatureAlgorithm,
  TlsCrypto,
  type TlsCryptoService,
} from "@effect-tls/crypto"
import { Effect, Either } from "effect"
import { type Certificate, isSelfIssued } from "./certificate.js"
import { equalBytes, toHex } from "./hex.js"
import { checkNameConstraints } from "./nameConstraints.js"
import type { VerificationPolicy } from "./policy.js"
import { type CertificateProblem, problem } from "./problem.js"
import { checkCertificate, type Role, signatureAlgorithmOf } from "./profile.js"

/** A trust anchor: a certificate trusted as the root of paths, with its constraints. @since 0.1.0 */
export interface TrustAnchor {
  readonly certificate: Certificate
}

/** What a path search starts from. @since 0.1.0 */
export interface PathInput {
  readonly leaf: Certificate
  /** The peer's other certificates, in any order. */
  readonly intermediates: ReadonlyArray<Certificate>
  readonly anchors: ReadonlyArray<TrustAnchor>
  /** Milliseconds since the epoch. */
  readonly now: number
  readonly policy: VerificationPolicy
}

/** A path that passed every check: leaf first, the anchor's certificate last. @since 0.1.0 */
export interface FoundPath {
  readonly path: ReadonlyArray<Certificate>
  readonly anchor: TrustAnchor
}

interface Candidate {
  readonly certificate: Certificate
  readonly anchor: TrustAnchor | undefined
}

/**
 * RFC 5280 section 6.1.4 (l) and (m): every intermediate that is not self-issued uses up
 * one step of the pathLenConstraint of each CA above it, the anchor's included.
 *
 * @since 0.1.0
 */
export const checkPathLengths = (path: ReadonlyArray<Certificate>): CertificateProblem | undefined => {
  let remaining = Number.POSITIVE_INFINITY
  for (let i = path.length - 1; i >= 1; i--) {
    const certificate = path[i]!
    if (i < path.length - 1 && !isSelfIssued(certificate)) {
      if (remaining <= 0) {
        return problem("PathLenExceeded", certificate, "issued by a CA whose pathLenConstraint allows no more CAs")
      }
      remaining--
    }
    const pathLength = certificate.extensions.basicConstraints?.value.pathLength
    if (pathLength !== undefined) remaining = Math.min(remaining, pathLength)
  }
  return undefined
}

const cryptoErrorCode = (error: CryptoError) =>
  error._tag === "UnsupportedAlgorithm"
    ? "UnsupportedAlgorithm"
    : error._tag === "MalformedKey"
      ? "Malformed"
      : "BadSignature"

const groupBySubject = <A>(items: ReadonlyArray<A>, certificateOf: (item: A) => Certificate): Map<string, Array<A>> => {
  const groups = new Map<string, Array<A>>()
  for (const item of items) {
    const key = toHex(certificateOf(item).subject.der)
    const group = groups.get(key)
    if (group === undefined) groups.set(key, [item])
    else group.push(item)
  }
  return groups
}

class PathSearch {
  private readonly anchorsBySubject: Map<string, Array<TrustAnchor>>
  private readonly intermediatesBySubject: Map<string, Array<Certificate>>
  private readonly roleChecks = new Map<Certificate, Map<Role, CertificateProblem | undefined>>()
  private readonly signatureChecks = new Map<Certificate, Map<Certificate, CertificateProblem | undefined>>()
  private candidatesLeft: number
  /** The first refusal of a candidate, reported when no path is found. */
  private refusal: CertificateProblem | undefined
  /** The first certificate whose issuer was not among the candidates at all. */
  private deadEnd: CertificateProblem | undefined

  constructor(
    private readonly input: PathInput,
    private readonly crypto: TlsCryptoService,
  ) {
    this.anchorsBySubject = groupBySubject(input.anchors, (anchor) => anchor.certificate)
    const unique = input.intermediates.filter(
      (certificate, i) => input.intermediates.findIndex((other) => equalBytes(other.der, certificate.der)) === i,
    )
    this.intermediatesBySubject = groupBySubject(unique, (certificate) => certificate)
    this.candidatesLeft = input.policy.maxCandidates
  }

  /** Why no path was found. */
  failure(): CertificateProblem {
    return this.refusal ?? this.deadEnd ?? problem("UnknownIssuer", this.input.leaf, "no path to a trust anchor")
  }

  /** Extends `path` (leaf first) to an anchor, or `undefined` when no extension works. */
  extend(path: ReadonlyArray<Certificate>): Effect.Effect<FoundPath | undefined, CertificateProblem> {
    return inlineGen(() => this.extendSteps(path))
  }

  /** The steps of `extend` (a generator made once: see inline.ts on generator closures). */
  private *extendSteps(path: ReadonlyArray<Certificate>) {
    const current = path[path.length - 1]!
    const candidates = this.candidatesFor(current, path)
    if (candidates.length === 0) {
      this.deadEnd ??= isSelfIssued(current)
        ? problem("SelfSigned", current, "self-signed certificate that is not a trust anchor")
        : problem("UnknownIssuer", current, `no trust anchor or intermediate named ${current.issuer.text}`)
      return undefined
    }
    for (const candidate of candidates) {
      if (this.candidatesLeft-- <= 0) {
        return yield* Effect.fail(
          problem(
            "ChainTooLong",
            this.input.leaf,
            `path building gave up after ${this.input.policy.maxCandidates} candidates`,
          ),
        )
      }
      const found = yield* this.tryCandidate(path, current, candidate)
      if (found !== undefined) return found
    }
    return undefined
  }

  private tryCandidate(
    path: ReadonlyArray<Certificate>,
    current: Certificate,
    candidate: Candidate,
  ): Effect.Effect<FoundPath | undefined, CertificateProblem> {
    return inlineGen(() => this.tryCandidateSteps(path, current, candidate))
  }

  /** The steps of `tryCandidate` (a generator made once: see inline.ts on generator closures). */
  private *tryCandidateSteps(path: ReadonlyArray<Certificate>, current: Certificate, candidate: Candidate) {
    const issuer = candidate.certificate
    const roleProblem = this.checkRole(issuer, candidate.anchor === undefined ? "intermediate" : "anchor")
    if (roleProblem !== undefined) return this.refuse(roleProblem)
    const signatureProblem = yield* this.checkSignature(current, issuer)
    if (signatureProblem !== undefined) return this.refuse(signatureProblem)
    const extended = [...path, issuer]
    if (candidate.anchor !== undefined) {
      const pathProblem = checkPathLengths(extended) ?? checkNameConstraints(extended)
      return pathProblem === undefined ? { path: extended, anchor: candidate.anchor } : this.refuse(pathProblem)
    }
    const depth = extended.slice(1).filter((certificate) => !isSelfIssued(certificate)).length
    if (depth > this.input.policy.maxDepth) {
      return this.refuse(
        problem("ChainTooLong", issuer, `more than ${this.input.policy.maxDepth} intermediate certificates`),
      )
    }
    return yield* this.extend(extended)
  }

  private refuse(reason: CertificateProblem): undefined {
    this.refusal ??= reason
    return undefined
  }

  /** Anchors, then intermediates not yet on the path, named as `current`'s issuer; key identifier matches first. */
  private candidatesFor(current: Certificate, path: ReadonlyArray<Certificate>): Array<Candidate> {
    const key = toHex(current.issuer.der)
    const anchors = (this.anchorsBySubject.get(key) ?? []).map((anchor) => ({
      certificate: anchor.certificate,
      anchor,
    }))
    const intermediates = (this.intermediatesBySubject.get(key) ?? [])
      .filter((certificate) => !path.some((used) => equalBytes(used.der, certificate.der)))
      .map((certificate) => ({ certificate, anchor: undefined }))
    const wanted = current.extensions.authorityKeyIdentifier?.value.keyIdentifier
    const matches = (candidate: Candidate) => {
      const ski = candidate.certificate.extensions.subjectKeyIdentifier?.value
      return wanted !== undefined && ski !== undefined && equalBytes(wanted, ski)
    }
    const ordered = (group: Array<Candidate>) => [...group.filter(matches), ...group.filter((c) => !matches(c))]
    return [...ordered(anchors), ...ordered(intermediates)]
  }

  private checkRole(certificate: Certificate, role: Role): CertificateProblem | undefined {
    let byRole = this.roleChecks.get(certificate)
    if (byRole === undefined) this.roleChecks.set(certificate, (byRole = new Map()))
    if (!byRole.has(role)) byRole.set(role, checkCertificate(certificate, role, this.input.now, this.input.policy))
    return byRole.get(role)
  }

  private checkSignature(child: Certificate, issuer: Certificate): Effect.Effect<CertificateProblem | undefined> {
    let byIssuer = this.signatureChecks.get(child)
    if (byIssuer === undefined) this.signatureChecks.set(child, (byIssuer = new Map()))
    if (byIssuer.has(issuer)) return Effect.succeed(byIssuer.get(issuer))
    const algorithm = signatureAlgorithmOf(child, this.input.policy)
    return inlineGen(() => this.checkSignatureSteps(child, issuer, algorithm, byIssuer))
  }

  /** The steps of `checkSignature` (a generator made once: see inline.ts on generator closures). */
  private *checkSignatureSteps(
    child: Certificate,
    issuer: Certificate,
    algorithm: SignatureAlgorithm | CertificateProblem,
    byIssuer: Map<Certificate, CertificateProblem | undefined>,
  ) {
    let result: CertificateProblem | undefined
    if ("code" in algorithm) {
      result = algorithm
    } else {
      const verified = yield* inlineEither(
        this.crypto.verify({ spki: issuer.spki, algorithm, message: child.tbs, signature: child.signature }),
      )
      result = Either.isRight(verified)
        ? undefined
        : problem(
            cryptoErrorCode(verified.left),
            child,
            `signature by ${issuer.subject.text}: ${verified.left.message}`,
          )
    }
    byIssuer.set(issuer, result)
    return result
  }
}

/**
 * Searches for a path from `input.leaf` to one of `input.anchors`. The leaf's own checks
 * are the caller's; this checks every issuer, signature and the path as a whole. Fails
 * with the first refusal met (or the first dead end) when there is no path.
 *
 * @since 0.1.0
 */
export const buildPath = (input: PathInput): Effect.Effect<FoundPath, CertificateProblem, TlsCrypto> =>
  inlineGen(() => buildPathSteps(input))

/** The steps of `buildPath` (a generator made once: see inline.ts on generator closures). */
function* buildPathSteps(input: PathInput) {
  const search = new PathSearch(input, yield* TlsCrypto)
  const found = yield* search.extend([input.leaf])
  return found === undefined ? yield* Effect.fail(search.failure()) : found
}
