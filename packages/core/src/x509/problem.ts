/**
 * Why a certificate cannot be used: the error code of `FatalReason.Certificate`, the
 * offending certificate's subject and a readable detail. Checks return these as plain
 * values; `verifyServerChain` turns the one it reports into a `Fatal`.
 *
 * @since 0.1.0
 */
import { type CertificateErrorCode, Fatal, FatalReason } from "../errors.js"
import type { Certificate } from "./certificate.js"

/** One reason a certificate or path was refused. @since 0.1.0 */
export interface CertificateProblem {
  readonly code: CertificateErrorCode
  /** The RFC 4514 subject of the certificate at fault ("" when it could not be parsed). */
  readonly subject: string
  readonly detail: string
}

/** A problem with `certificate`. @since 0.1.0 */
export const problem = (code: CertificateErrorCode, certificate: Certificate, detail: string): CertificateProblem => ({
  code,
  subject: certificate.subject.text,
  detail,
})

/** The `Fatal` that reports `problem`. @since 0.1.0 */
export const fatalOf = (problem: CertificateProblem): Fatal => new Fatal({ reason: FatalReason.Certificate(problem) })
