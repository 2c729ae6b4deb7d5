/**
 * Section 1, the floor under a noble handshake: the curve operations it cannot avoid, run
 * through the `NobleCrypto` TlsCrypto service synchronously (`runSync` on a runtime holding
 * the layer). One run is a key share plus the shared secret with a peer's share, and two
 * ECDSA P-256 / SHA-256 verifications of the bench PKI: the leaf's signature by the root and
 * a CertificateVerify-shaped signature by the leaf. Timed with process CPU time, like the
 * handshakes, and between them: one run per round of each set's handshakes, so a change in
 * machine speed moves the floor and the handshakes alike.
 */
import { sign } from "node:crypto"
import { X509 } from "@effect-tls/core"
import { NobleCrypto, TlsCrypto, type VerifyRequest } from "@effect-tls/crypto"
import { Effect, Either, ManagedRuntime } from "effect"
import type { BenchGroup } from "./clients.js"
import type { BenchPki } from "./pki.js"
import { type Spread, spread } from "./stats.js"
import { cpuMark, cpuSince, processCpuMs } from "./threadCpu.js"

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
  /** The main thread's part of `x25519SetMs` and `p256SetMs` (where /proc tells the threads apart). */
  readonly mainSetMs?: Readonly<Record<BenchGroup, Spread>>
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
  const start = processCpuMs()
  run()
  return processCpuMs() - start
}

/** One run of a set's curve operations, CPU ms each. */
export interface CurveOpsSample {
  /** The key share plus the shared secret. */
  readonly agreement: number
  /** The leaf's signature by the root. */
  readonly chain: number
  /** The CertificateVerify-shaped signature by the leaf. */
  readonly certificateVerify: number
  /** The main thread's part of the three. */
  readonly main?: number
}

/** Times the noble curve operations of a handshake, one run per `sample`. */
export interface CurveOpsProbe {
  readonly sample: (group: BenchGroup) => CurveOpsSample
  readonly dispose: () => Promise<void>
}

const agreementGroup: Readonly<Record<BenchGroup, "x25519" | "secp256r1">> = { x25519: "x25519", "P-256": "secp256r1" }

/** The probe, on a runtime holding the noble layer. */
export const makeCurveOpsProbe = async (pki: BenchPki): Promise<CurveOpsProbe> => {
  const runtime = ManagedRuntime.make(NobleCrypto)
  const crypto = await runtime.runPromise(TlsCrypto)
  const peers = {
    x25519: runtime.runSync(crypto.generateKeyShare("x25519")).publicKey,
    secp256r1: runtime.runSync(crypto.generateKeyShare("secp256r1")).publicKey,
  }
  const [chain, certificateVerify] = verifyRequests(pki).map(
    (request) => () => void runtime.runSync(crypto.verify(request)),
  ) as [() => void, () => void]
  return {
    sample: (group) => {
      const named = agreementGroup[group]
      const mark = cpuMark()
      const agreement = cpuMs(() =>
        runtime.runSync(Effect.flatMap(crypto.generateKeyShare(named), (share) => share.agree(peers[named]))),
      )
      const parts = { agreement, chain: cpuMs(chain), certificateVerify: cpuMs(certificateVerify) }
      const { threads } = cpuSince(mark)
      return threads === undefined ? parts : { ...parts, main: curveOpsTotal(parts) - threads.otherMs }
    },
    dispose: () => runtime.dispose(),
  }
}

/** The curve operations of one handshake: the agreement and both verifications. */
export const curveOpsTotal = (sample: CurveOpsSample): number =>
  sample.agreement + sample.chain + sample.certificateVerify

/** The floor of a handshake set: the median of its runs' totals. */
export const setFloorMs = (stats: CurveOpsStats, group: BenchGroup): number =>
  (group === "x25519" ? stats.x25519SetMs : stats.p256SetMs).median

/** The main thread's parts of `samples`, if every sample has one. */
const mainParts = (samples: ReadonlyArray<CurveOpsSample>): Array<number> | undefined => {
  const parts = samples.flatMap((sample) => (sample.main === undefined ? [] : [sample.main]))
  return parts.length === samples.length ? parts : undefined
}

/** The stats of the samples taken between the handshakes of each set. */
export const curveOpsStats = (samples: Readonly<Record<BenchGroup, ReadonlyArray<CurveOpsSample>>>): CurveOpsStats => {
  const all = [...samples.x25519, ...samples["P-256"]]
  const mainX25519 = mainParts(samples.x25519)
  const mainP256 = mainParts(samples["P-256"])
  return {
    x25519AgreementMs: spread(samples.x25519.map((sample) => sample.agreement)),
    p256AgreementMs: spread(samples["P-256"].map((sample) => sample.agreement)),
    ecdsaVerifyMs: spread(all.flatMap((sample) => [sample.chain, sample.certificateVerify])),
    x25519SetMs: spread(samples.x25519.map(curveOpsTotal)),
    p256SetMs: spread(samples["P-256"].map(curveOpsTotal)),
    ...(mainX25519 === undefined || mainP256 === undefined
      ? {}
      : { mainSetMs: { x25519: spread(mainX25519), "P-256": spread(mainP256) } }),
  }
}
