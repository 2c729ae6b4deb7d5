/**
 * `@effect-tls/transport`: TLS client connections over `@effect/platform` sockets
 * (`connect`), over any byte transport (`connectWire`, for STARTTLS), and the Node
 * convenience `NodeTls.connect`.
 *
 * @since 0.1.0
 */
export { keyLogFile } from "./KeyLogFile.js"
export * as NodeTls from "./NodeTls.js"
export { decodeOptions, isIpLiteral, resolveConfig, TlsLimits, TlsOptions, type TlsOptionsInput } from "./Options.js"
export type { Wire, WireCallbacks, WireRead } from "./pump.js"
export { type ConnectExtras, connect, connectWire, socketWire } from "./Tls.js"
export { channelBindingLabel, type TlsConnection } from "./TlsConnection.js"
export { SystemRoots, type VerifyHook } from "./trust.js"
