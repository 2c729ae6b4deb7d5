/** Small statistics over samples: median and percentiles. */

/** The p-quantile (0..1) of `samples`, by nearest rank on a sorted copy. */
export const quantile = (samples: ReadonlyArray<number>, p: number): number => {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!
}

/** The median of `samples`. */
export const median = (samples: ReadonlyArray<number>): number => quantile(samples, 0.5)

/** The median and 90th percentile of a measure, with how many samples they come from. */
export interface Spread {
  readonly median: number
  readonly p90: number
  readonly samples: number
}

/** `samples` summarised as a `Spread`. */
export const spread = (samples: ReadonlyArray<number>): Spread => ({
  median: median(samples),
  p90: quantile(samples, 0.9),
  samples: samples.length,
})
