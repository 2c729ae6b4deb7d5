/**
 * The typed outcomes of `connect` other than success, as in SSL_connect(3) / SSL_get_error:
 * `WantRead`, `WantWrite`, `CleanShutdown` and `Fatal` with a tagged `reason`. And the one
 * function that maps a failure to the alert we send.
 *
 * @since 0.1.0
 */
import { Data } from "effect"
import { AlertDescription, nameOf } from "./wire/codes.js"

/** The engine needs bytes from the peer (SSL_ERROR_WANT_READ). @since 0.1.0 */
export class WantRead extends Data.TaggedError("WantRead")<{}> {
  override get message(): string {
    return "the TLS engine needs more bytes from the peer"
  }
}

/** The engine's bounded output buffer is full and must be drained (SSL_ERROR_WANT_WRITE). @since 0.1.0 */
export class WantWrite extends Data.TaggedError("WantWrite")<{ readonly pending: number }> {
  override get message(): string {
    return `the TLS engine's output buffer is full (${this.pending} bytes pending)`
  }
}

/** The peer closed with close_notify before the handshake finished (SSL_connect returned 0). @since 0.1.0 */
export class CleanShutdown extends Data.TaggedError("CleanShutdown")<{}> {
  override get message(): string {
    return "the peer closed the connection (close_notify) before the handshake completed"
  }
}

/** Certificate verification failure codes. @since 0.1.0 */
export type CertificateErrorCode =
  | "Expired"
  | "NotYetValid"
  | "UnknownIssuer"
  | "SelfSigned"
  | "BadSignature"
  | "HostnameMismatch"
  | "NotCa"
  | "PathLenExceeded"
  | "NameConstraintViolation"
  | "BadKeyUsage"
  | "BadExtendedKeyUsage"
  | "UnsupportedAlgorithm"
  | "WeakKey"
  | "UnknownCriticalExtension"
  | "Malformed"
  | "ChainTooLong"
  | "Rejected"

/** Why a connection failed fatally. @since 0.1.0 */
export type FatalReason = Data.TaggedEnum<{
  /** The peer sent a fatal alert (or a warning alert other than close_notify/user_canceled). */
  AlertReceived: { readonly alert: number; readonly description: string }
  /** We detected a problem and sent this alert to the peer. */
  AlertSent: { readonly alert: number; readonly description: string; readonly detail: string }
  /** Certificate verification failed. */
  Certificate: { readonly code: CertificateErrorCode; readonly subject: string; readonly detail: string }
  /** The transport ended without close_notify. */
  UnexpectedEof: { readonly detail: string }
  /** The handshake (or a read) did not complete in time. */
  Timeout: { readonly detail: string }
  /** The transport failed. */
  Io: { readonly detail: string; readonly cause: unknown }
  /** The options cannot work. */
  Config: { readonly detail: string }
}>

/** Constructors and matchers for `FatalReason`. @since 0.1.0 */
export const FatalReason = Data.taggedEnum<FatalReason>()

const describeReason = (reason: FatalReason): string => {
  switch (reason._tag) {
    case "AlertReceived":
      return `received alert ${reason.description}`
    case "AlertSent":
      return `${reason.detail} (sent alert ${reason.description})`
    case "Certificate":
      return `certificate ${reason.code}: ${reason.detail}${reason.subject ? ` (subject ${reason.subject})` : ""}`
    case "UnexpectedEof":
      return `unexpected end of stream: ${reason.detail}`
    case "Timeout":
      return `timeout: ${reason.detail}`
    case "Io":
      return `I/O error: ${reason.detail}`
    case "Config":
      return `invalid configuration: ${reason.detail}`
  }
}

/** A fatal TLS failure (SSL_ERROR_SSL / SSL_ERROR_SYSCALL), with its reason. @since 0.1.0 */
export class Fatal extends Data.TaggedError("Fatal")<{ readonly reason: FatalReason }> {
  override get message(): string {
    return describeReason(this.reason)
  }
}

/** Every way `connect` can fail. @since 0.1.0 */
export type ConnectError = WantRead | WantWrite | CleanShutdown | Fatal

/** True for `WantRead` and `WantWrite`: the caller should feed/drain and retry. @since 0.1.0 */
export const isWant = (error: unknown): error is WantRead | WantWrite =>
  error instanceof WantRead || error instanceof WantWrite

/**
 * A `Fatal` for a problem we detected; the alert named here is the one sent to the peer.
 *
 * @since 0.1.0
 */
export const alertSent = (alert: number, detail: string): Fatal =>
  new Fatal({ reason: FatalReason.AlertSent({ alert, description: nameOf(AlertDescription, alert), detail }) })

const certificateAlerts: Readonly<Record<CertificateErrorCode, number>> = {
  Expired: AlertDescription.certificate_expired,
  NotYetValid: AlertDescription.certificate_expired,
  UnknownIssuer: AlertDescription.unknown_ca,
  SelfSigned: AlertDescription.unknown_ca,
  BadSignature: AlertDescription.bad_certificate,
  HostnameMismatch: AlertDescription.bad_certificate,
  NotCa: AlertDescription.bad_certificate,
  PathLenExceeded: AlertDescription.bad_certificate,
  NameConstraintViolation: AlertDescription.bad_certificate,
  BadKeyUsage: AlertDescription.bad_certificate,
  BadExtendedKeyUsage: AlertDescription.unsupported_certificate,
  UnsupportedAlgorithm: AlertDescription.unsupported_certificate,
  WeakKey: AlertDescription.insufficient_security,
  UnknownCriticalExtension: AlertDescription.unsupported_certificate,
  Malformed: AlertDescription.bad_certificate,
  ChainTooLong: AlertDescription.bad_certificate,
  Rejected: AlertDescription.bad_certificate,
}

/**
 * The alert we send for a failure, or `undefined` when none is sent (the peer already
 * alerted us, or the transport is gone). This is the only place that decides it.
 *
 * @since 0.1.0
 */
export const alertToSend = (reason: FatalReason): number | undefined => {
  switch (reason._tag) {
    case "AlertSent":
      return reason.alert
    case "Certificate":
      return certificateAlerts[reason.code]
    case "Timeout":
      return AlertDescription.user_canceled
    case "Config":
    case "AlertReceived":
    case "UnexpectedEof":
    case "Io":
      return undefined
  }
}
