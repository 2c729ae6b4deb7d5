/**
 * Section 1, the warm-up rounds: they are not part of the measured medians, but their CPU
 * times show what a process pays while V8 is still compiling (a process that makes a few
 * hundred connections never gets past it). The rounds are cut into slices, and each slice
 * gives every client's median CPU per handshake and the noble curve-op floor's median over
 * the same rounds.
 */
import type { ClientName } from "./clients.js"
import { median } from "./stats.js"

/** Median CPU per handshake over some consecutive warm-up rounds. */
export interface WarmupSlice {
  /** The slice's first round, counted from 0 at the first warm-up round. */
  readonly fromRound: number
  /** The round after the slice's last. */
  readonly toRound: number
  readonly cpuMs: Partial<Record<ClientName, number>>
  /** The set's noble curve operations, median CPU ms of one run over the same rounds. */
  readonly curveOpsMs: number
}

/** Where slices start; a slice ends where the next starts, the last at the end of the warm-up. */
const sliceStarts: ReadonlyArray<number> = [0, 100, 500, 1000]

/**
 * The slices of `warmup` rounds: `cpus[client][round]` and `curveOps[round]` hold the
 * CPU times of every warm-up round, in order.
 */
export const warmupSlices = (
  warmup: number,
  clients: ReadonlyArray<ClientName>,
  cpus: ReadonlyArray<ReadonlyArray<number>>,
  curveOps: ReadonlyArray<number>,
): ReadonlyArray<WarmupSlice> => {
  const starts = sliceStarts.filter((start) => start < warmup)
  return starts.map((fromRound, index) => {
    const toRound = starts[index + 1] ?? warmup
    const cpuMs: Partial<Record<ClientName, number>> = {}
    clients.forEach((client, k) => {
      cpuMs[client] = median(cpus[k]!.slice(fromRound, toRound))
    })
    return { fromRound, toRound, cpuMs, curveOpsMs: median(curveOps.slice(fromRound, toRound)) }
  })
}
