/**
 * The client certificate from PEM: the chain (CERTIFICATE blocks, leaf first) and its
 * PKCS#8 private key, imported through `TlsCrypto` as an opaque signing key.
 *
 * @since 0.1.0
 */
import { type ClientCertificate, Fatal, FatalReason, X509 } from "@effect-tls/core"
import type { TlsCryptoService } from "@effect-tls/crypto"
import { Effect, Either } from "effect"
import type { TlsOptions } from "./Options.js"

const configError = (detail: string) => new Fatal({ reason: FatalReason.Config({ detail }) })

const blocks = (pem: string, what: string) =>
  Either.mapLeft(X509.decodePem(pem), (error) => configError(`${what}: ${error.message}`))

/** The client certificate of `options`, if any. @since 0.1.0 */
export const clientCertificateFor = (
  options: TlsOptions,
  crypto: TlsCryptoService,
): Effect.Effect<ClientCertificate | undefined, Fatal> => Effect.gen(() => clientCertificateForSteps(options, crypto))

/** The steps of `clientCertificateFor` (a generator made once: see inline.ts on generator closures). */
function* clientCertificateForSteps(options: TlsOptions, crypto: TlsCryptoService) {
  const given = options.clientCertificate
  if (given === undefined) return undefined
  const chain = (yield* blocks(given.certificate, "client certificate"))
    .filter((block) => block.label === "CERTIFICATE")
    .map((block) => block.der)
  if (chain.length === 0) return yield* configError("client certificate: no CERTIFICATE block")
  const keyBlock = (yield* blocks(given.key, "client key")).find((block) => block.label === "PRIVATE KEY")
  if (keyBlock === undefined) {
    return yield* configError(
      "client key: expected a PKCS#8 'PRIVATE KEY' block (convert with `openssl pkcs8 -topk8 -nocrypt`)",
    )
  }
  const key = yield* Effect.mapError(crypto.importSigningKey(keyBlock.der), (error) =>
    configError(`client key: ${error.message}`),
  )
  return { chain, key }
}
