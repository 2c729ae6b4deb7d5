/**
 * The targets of the issue, checked against a run's medians: NodeCrypto within 1.5x of
 * node:tls CPU per handshake and at 0.7x of its bulk rate or better, a noble handshake within
 * 1.3x of its curve operations, noble bulk at 0.8x of its raw AEAD open rate or better (the
 * median over downloads of each one's ratio to the rate measured around it), and the node
 * and WebCrypto layers faster than subtls per handshake (P-256 set, wall time).
 * A target whose measures were not taken (e.g. `--only`) is left out.
 */
import type { BulkSuite } from "./bulk.js"
import type { BenchGroup } from "./clients.js"
import { setFloorMs } from "./curveOps.js"
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

const groups = ["x25519", "P-256"] as const satisfies ReadonlyArray<BenchGroup>
const suites = ["aes", "chacha"] as const satisfies ReadonlyArray<BulkSuite>

/**
 * The check of `ours / reference` against a bound (at most, or at least), shown with both
 * measures in `unit`; none when either measure was not taken.
 */
const ratioCheck = (
  target: string,
  ours: number | undefined,
  reference: number | undefined,
  bound: { readonly atMost: number } | { readonly atLeast: number },
  unit: (n: number) => string,
): Array<Check> => {
  if (ours === undefined || reference === undefined) return []
  const ratio = ours / reference
  return [
    {
      target,
      ratio,
      measured: `${x(ratio)} (${unit(ours)} vs ${unit(reference)})`,
      pass: "atMost" in bound ? ratio <= bound.atMost : ratio >= bound.atLeast,
    },
  ]
}

const nodeHandshake = (handshake: HandshakeResults): Array<Check> =>
  groups.flatMap((group) =>
    ratioCheck(
      `NodeCrypto CPU per handshake <= 1.5x node:tls (${group})`,
      handshake.sets[group]["effect-tls/node"]?.cpuMs.median,
      handshake.sets[group]["node:tls"]?.cpuMs.median,
      { atMost: 1.5 },
      ms,
    ),
  )

/** The most a noble handshake may cost over its curve operations (1.3 = everything else adds 30 %). */
export const nobleHandshakeLimit = 1.3

const nobleHandshake = (handshake: HandshakeResults): Array<Check> =>
  groups.flatMap((group) =>
    ratioCheck(
      `Noble handshake CPU <= ${nobleHandshakeLimit}x its curve-op cost (${group})`,
      handshake.sets[group]["effect-tls/noble"]?.cpuMs.median,
      setFloorMs(handshake.curveOps, group),
      { atMost: nobleHandshakeLimit },
      ms,
    ),
  )

const versusSubtls = (handshake: HandshakeResults): Array<Check> =>
  (["node", "webcrypto"] as const).flatMap((layer) =>
    ratioCheck(
      `${layer === "node" ? "NodeCrypto" : "WebCrypto"} handshake faster than subtls (P-256, wall)`,
      handshake.sets["P-256"][`effect-tls/${layer}`]?.wallMs.median,
      handshake.sets["P-256"].subtls?.wallMs.median,
      { atMost: 1 },
      ms,
    ),
  )

const nodeBulk = (bulk: BulkResults): Array<Check> =>
  suites.flatMap((suite) =>
    ratioCheck(
      `NodeCrypto bulk >= 0.7x node:tls (${suiteLabel[suite]})`,
      bulk.suites[suite]["effect-tls/node"]?.mbps.median,
      bulk.suites[suite]["node:tls"]?.mbps.median,
      { atLeast: 0.7 },
      mbps,
    ),
  )

/**
 * Noble bulk against its raw open rate: the median over downloads of each download's rate
 * over the raw rate measured around it (see bulk.ts), shown with both medians.
 */
const nobleBulk = (bulk: BulkResults): Array<Check> =>
  suites.flatMap((suite) => {
    const noble = bulk.suites[suite]["effect-tls/noble"]
    if (noble?.perRawOpen === undefined) return []
    const ratio = noble.perRawOpen.median
    const downloads = noble.perRawOpen.samples
    return [
      {
        target: `Noble bulk >= 0.8x its raw AEAD open rate (${suiteLabel[suite]})`,
        ratio,
        measured: `${x(ratio)} (median of ${downloads} downloads, each over the raw rate just before and after it; medians ${mbps(noble.mbps.median)} vs ${mbps(bulk.rawOpen.noble[suite].median)})`,
        pass: ratio >= 0.8,
      },
    ]
  })

/** Every target the run has the measures for, in the order. */
export const checkTargets = (handshake: HandshakeResults | undefined, bulk: BulkResults | undefined): Array<Check> => [
  ...(handshake === undefined ? [] : nodeHandshake(handshake)),
  ...(bulk === undefined ? [] : nodeBulk(bulk)),
  ...(handshake === undefined ? [] : nobleHandshake(handshake)),
  ...(bulk === undefined ? [] : nobleBulk(bulk)),
  ...(handshake === undefined ? [] : versusSubtls(handshake)),
]
