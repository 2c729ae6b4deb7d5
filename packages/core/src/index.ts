/**
 * `@effect-tls/core`: the sans-IO TLS 1.3 client. Wire codecs, key schedule, record
 * protection and the client state machine; no sockets, no timers, no ambient randomness
 * (all of it comes in as input or through the `TlsCrypto` and `CertificateVerifier`
 * services).
 *
 * @since 0.1.0
 */

export * from "./engine/Engine.js"
export * from "./engine/keyLog.js"
export * from "./engine/mutex.js"
export * from "./engine/sessionStore.js"
export * from "./errors.js"
export {
  alertFor,
  exportKeyingMaterial,
  type StepResult,
  start,
  startWithClientHello,
  step,
} from "./handshake/client.js"
export * from "./handshake/config.js"
export * from "./handshake/session.js"
export { type ClientState, Input, type KeyLogLabel, Output, Phase } from "./handshake/state.js"
export * from "./handshake/verifier.js"
export { makeWebPkiVerifier, webPkiVerifier } from "./handshake/webPkiVerifier.js"
export * as Wire from "./wire/index.js"
export * as X509 from "./x509/index.js"
