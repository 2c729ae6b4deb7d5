/**
 * Section 1, the floor under a noble handshake: the curve operations it cannot avoid, run
 * through the `NobleCrypto` TlsCrypto service synchronously (`runSync` on a runtime holding
 * the layer). One run is a key share plus the shared secret with a peer's share, and two
 * ECDSA P-256 / SHA-256 verifications of the bench PKI: the leaf's signature by the root and
 * a CertificateVerify-shaped signature by the leaf. Timed with process CPU time, like the
 * handshakes.
 */
import { sign } from "node:crypto"
import { X509 } from "@effect-tls/core"
import { NobleCrypto, TlsCrypto, type VerifyRequest } from "@effect-tls/crypto"
import { Effect, Either, ManagedRuntime } from "effect"
import type { BenchPki } from "./pki.js"
import { type Spread, spread } from "./stats.js"

/** The curve-op costs, in CPU milliseconds. */
export interface CurveOpsStats {
  /** x25519 key share + shared secret. */
  readonly x25519AgreementMs: Spread
  /** secp256r1 key share + shared secret. */
  readonly p256AgreementMs: Spread
  /** One ECDSA P-256 / SHA-256 verification. */
  readonly ecdsaVerifyMs: Spread
  /** Per run: the x25519 agreement and both verifications (the x25519 handshake set's floor). */
  readonly x25519SetMs: Spread
  /** Per run: the secp256r1 agreement and both verifications (the P-256 set's floor). */
  readonly p256SetMs: Spread
}

const certificate = (pem: string): X509.Certificate => {
  const blocks = Either.getOrThrow(X509.decodePem(pem))
  return Either.getOrThrow(X509.parseCertificate(blocks[0]!.der))
}

/** The two verifications a handshake with the bench PKI does. */
const verifyRequests = (pki: BenchPki): ReadonlyArray<VerifyRequest> => {
  const root = certificate(pki.rootPem)
  const leaf = certificate(pki.leafPem)
  const ecdsa = { _tag: "Ecdsa", hash: "SHA-256" } as const
  // RFC 8446 section 4.4.3: 64 spaces, the context string, a zero byte, the transcript hash.
  const content = new Uint8Array([
    ...new Uint8Array(64).fill(0x20),
    ...new TextEncoder().encode("TLS 1.3, server CertificateVerify"),
    0,
    ...new Uint8Array(32).fill(0xab),
  ])
  return [
    { spki: root.spki, algorithm: ecdsa, message: leaf.tbs, signature: leaf.signature },
    { spki: leaf.spki, algorithm: ecdsa, message: content, signature: sign("sha256", content, pki.leafKeyPem) },
  ]
}

const cpuMs = (run: () => void): number => {
  const start = process.cpuUsage()
  run()
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}

/** `runs` runs (after `warmup`) of each curve operation on the noble layer. */
export const measureCurveOps = async (pki: BenchPki, runs: number, warmup: number): Promise<CurveOpsStats> => {
  const runtime = ManagedRuntime.make(NobleCrypto)
  try {
    const crypto = await runtime.runPromise(TlsCrypto)
    const peers = {
      x25519: runtime.runSync(crypto.generateKeyShare("x25519")).publicKey,
      secp256r1: runtime.runSync(crypto.generateKeyShare("secp256r1")).publicKey,
    }
    const agreement = (group: "x25519" | "secp256r1") => () => {
      runtime.runSync(Effect.flatMap(crypto.generateKeyShare(group), (share) => share.agree(peers[group])))
    }
    const requests = verifyRequests(pki)
    const verify = (request: VerifyRequest) => () => runtime.runSync(crypto.verify(request))
    const operations = [agreement("x25519"), agreement("secp256r1"), verify(requests[0]!), verify(requests[1]!)]
    for (let i = 0; i < warmup; i++) for (const operation of operations) operation()
    const samples = operations.map(() => [] as Array<number>)
    for (let i = 0; i < runs; i++) {
      for (const [k, operation] of operations.entries()) samples[k]!.push(cpuMs(operation))
    }
    const [x25519, p256, chain, certificateVerify] = samples as [
      Array<number>,
      Array<number>,
      Array<number>,
      Array<number>,
    ]
    const verifications = chain.map((ms, i) => ms + certificateVerify[i]!)
    return {
      x25519AgreementMs: spread(x25519),
      p256AgreementMs: spread(p256),
      ecdsaVerifyMs: spread([...chain, ...certificateVerify]),
      x25519SetMs: spread(x25519.map((ms, i) => ms + verifications[i]!)),
      p256SetMs: spread(p256.map((ms, i) => ms + verifications[i]!)),
    }
  } finally {
    await runtime.dispose()
  }
}
