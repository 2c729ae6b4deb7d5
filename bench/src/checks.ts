/**
 * The targets of the issue, checked against a run's medians: NodeCrypto within 1.5x of
 * node:tls CPU per handshake and at 0.7x of its bulk rate or better, a noble handshake within
 * 1.3x of its curve operations, noble bulk at 0.8x of its raw AEAD open rate or better, and
 * the node and WebCrypto layers faster than subtls per handshake (P-256 set, wall time).
 * A target whose measures were not taken (e.g. `--only`) is left out.
 */
import type { BulkSuite } from "./bulk.js"
import type { BenchGroup } from "./clients.js"
import type { BulkResults, HandshakeResults } from "./results.js"

/** One target and how the run did. */
export interface Check {
  readonly target: string
  /** The measured ratio, as the target states it. */
  readonly ratio: number
  readonly measured: string
  readonly pass: boolean
}

const suiteLabel: Readonly<Record<BulkSuite, string>> = { aes: "AES-128-GCM", chacha: "ChaCha20-Poly1305" }
const x = (n: number) => `${n.toFixed(2)}x`
const ms = (n: number) => `${n.toFixed(1)} ms`
const mbps = (n: number) => `${n.toFixed(1)} MB/s`

const atMost = (target: string, ratio: number, limit: number, detail: string): Check => ({
  target,
  ratio,
  measured: `${x(ratio)} (${detail})`,
  pass: ratio <= limit,
})

const atLeast = (target: string, ratio: number, limit: number, detail: string): Check => ({
  target,
  ratio,
  measured: `${x(ratio)} (${detail})`,
  pass: ratio >= limit,
})

const groups = ["x25519", "P-256"] as const satisfies ReadonlyArray<BenchGroup>
const suites = ["aes", "chacha"] as const satisfies ReadonlyArray<BulkSuite>

const nodeHandshake = (handshake: HandshakeResults): Array<Check> => {
  const checks: Array<Check> = []
  for (const group of groups) {
    const set = handshake.sets[group]
    const node = set["effect-tls/node"]?.cpuMs.median
    const reference = set["node:tls"]?.cpuMs.median
    if (node !== undefined && reference !== undefined) {
      checks.push(
        atMost(
          `NodeCrypto CPU per handshake <= 1.5x node:tls (${group})`,
          node / reference,
          1.5,
          `${ms(node)} vs ${ms(reference)}`,
        ),
      )
    }
  }
  return checks
}

const nobleHandshake = (handshake: HandshakeResults): Array<Check> => {
  const checks: Array<Check> = []
  for (const group of groups) {
    const noble = handshake.sets[group]["effect-tls/noble"]?.cpuMs.median
    const floor = (group === "x25519" ? handshake.curveOps.x25519SetMs : handshake.curveOps.p256SetMs).median
    if (noble !== undefined) {
      checks.push(
        atMost(
          `Noble handshake CPU <= 1.3x its curve-op cost (${group})`,
          noble / floor,
          1.3,
          `${ms(noble)} vs ${ms(floor)}`,
        ),
      )
    }
  }
  return checks
}

const versusSubtls = (handshake: HandshakeResults): Array<Check> => {
  const checks: Array<Check> = []
  const p256 = handshake.sets["P-256"]
  const subtls = p256.subtls?.wallMs.median
  for (const layer of ["node", "webcrypto"] as const) {
    const ours = p256[`effect-tls/${layer}`]?.wallMs.median
    if (ours !== undefined && subtls !== undefined) {
      checks.push(
        atMost(
          `${layer === "node" ? "NodeCrypto" : "WebCrypto"} handshake faster than subtls (P-256, wall)`,
          ours / subtls,
          1,
          `${ms(ours)} vs ${ms(subtls)}`,
        ),
      )
    }
  }
  return checks
}

const nodeBulk = (bulk: BulkResults): Array<Check> => {
  const checks: Array<Check> = []
  for (const suite of suites) {
    const node = bulk.suites[suite]["effect-tls/node"]?.mbps.median
    const reference = bulk.suites[suite]["node:tls"]?.mbps.median
    if (node !== undefined && reference !== undefined) {
      checks.push(
        atLeast(
          `NodeCrypto bulk >= 0.7x node:tls (${suiteLabel[suite]})`,
          node / reference,
          0.7,
          `${mbps(node)} vs ${mbps(reference)}`,
        ),
      )
    }
  }
  return checks
}

const nobleBulk = (bulk: BulkResults): Array<Check> => {
  const checks: Array<Check> = []
  for (const suite of suites) {
    const noble = bulk.suites[suite]["effect-tls/noble"]?.mbps.median
    const raw = bulk.rawOpen.noble[suite].median
    if (noble !== undefined) {
      checks.push(
        atLeast(
          `Noble bulk >= 0.8x its raw AEAD open rate (${suiteLabel[suite]})`,
          noble / raw,
          0.8,
          `${mbps(noble)} vs ${mbps(raw)}`,
        ),
      )
    }
  }
  return checks
}

/** Every target the run has the measures for, in the order. */
export const checkTargets = (handshake: HandshakeResults | undefined, bulk: BulkResults | undefined): Array<Check> => [
  ...(handshake === undefined ? [] : nodeHandshake(handshake)),
  ...(bulk === undefined ? [] : nodeBulk(bulk)),
  ...(handshake === undefined ? [] : nobleHandshake(handshake)),
  ...(bulk === undefined ? [] : nobleBulk(bulk)),
  ...(handshake === undefined ? [] : versusSubtls(handshake)),
]
