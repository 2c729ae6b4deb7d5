/**
 * The knobs of certificate verification and their defaults.
 *
 * @since 0.1.0
 */

/** What verification accepts beyond RFC 5280 and the CA/Browser Forum profile. @since 0.1.0 */
export interface VerificationPolicy {
  /** Smallest RSA modulus accepted, in bits (default 2048). Moduli must also be a multiple of 8 bits. */
  readonly minRsaBits: number
  /** Accept SHA-1 signatures on certificates (default false). */
  readonly allowSha1: boolean
  /** Most intermediate certificates in a path, not counting self-issued ones (default 10). */
  readonly maxDepth: number
  /** Most issuer candidates path building tries before it gives up (default 100). */
  readonly maxCandidates: number
}

/** The default policy. @since 0.1.0 */
export const defaultVerificationPolicy: VerificationPolicy = {
  minRsaBits: 2048,
  allowSha1: false,
  maxDepth: 10,
  maxCandidates: 100,
}
