// The warm-up rounds cut into slices: bounds, medians per client, and the floor.
import { describe, expect, it } from "vitest"
import { warmupSlices } from "../src/warmup.js"

const rounds = (count: number, cpu: (round: number) => number) => Array.from({ length: count }, (_, i) => cpu(i))

describe("warmupSlices", () => {
  it("cuts 1,000 rounds at 100 and 500 and takes each slice's medians", () => {
    const slices = warmupSlices(
      1000,
      ["node:tls", "effect-tls/noble"],
      [rounds(1000, () => 4), rounds(1000, (i) => (i < 100 ? 30 : i < 500 ? 25 : 20))],
      rounds(1000, (i) => (i < 100 ? 18 : 16)),
    )
    expect(slices.map((s) => [s.fromRound, s.toRound])).toEqual([
      [0, 100],
      [100, 500],
      [500, 1000],
    ])
    expect(slices.map((s) => s.cpuMs["effect-tls/noble"])).toEqual([30, 25, 20])
    expect(slices.map((s) => s.cpuMs["node:tls"])).toEqual([4, 4, 4])
    expect(slices.map((s) => s.curveOpsMs)).toEqual([18, 16, 16])
  })

  it("ends the last slice with the warm-up, and has none without one", () => {
    const slices = warmupSlices(
      120,
      ["node:tls"],
      [rounds(120, (i) => i)],
      rounds(120, () => 1),
    )
    expect(slices.map((s) => [s.fromRound, s.toRound])).toEqual([
      [0, 100],
      [100, 120],
    ])
    expect(slices[1]!.cpuMs["node:tls"]).toBe(109)
    expect(warmupSlices(0, ["node:tls"], [[]], [])).toEqual([])
  })
})
