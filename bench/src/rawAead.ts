/**
 * Section 2, the ceiling under bulk download: each effect-tls layer's raw AEAD open rate on
 * 16 KiB records, through the TlsCrypto service (`aeadKey`, then `sync.open` when the key
 * has it, else its Effect `open`, run back to back in one fiber as the record layer does).
 * MB/s of plaintext over slices of 1 MiB batches (64 records), taken just before and just
 * after each download of the layer (see `RawOpenProbe`); the table shows the median slice.
 */
import { randomFillSync } from "node:crypto"
import { type AeadAlgorithm, type AeadKey, aeadKeyLength, TlsCrypto } from "@effect-tls/crypto"
import { Effect, ManagedRuntime } from "effect"
import type { BulkSuite } from "./bulk.js"
import { type LayerName, layerNames } from "./clients.js"
import { effectLayers } from "./effectTlsClient.js"
import { type Spread, spread } from "./stats.js"

/** Raw open rates (MB/s) per layer and suite. */
export type RawOpenRates = Record<LayerName, Record<BulkSuite, Spread>>

const algorithms: Readonly<Record<BulkSuite, AeadAlgorithm>> = { aes: "AES-128-GCM", chacha: "ChaCha20-Poly1305" }
const recordLength = 16384
const batch = 64
const minBatches = 5
/**
 * A slice stops at 16 MiB (a quarter of a bulk download) even before `sliceMs`: the garbage
 * of the opens (node:crypto makes a cipher object and an output buffer per record) is
 * collected during whatever runs next, which is one of the layer's downloads. With 200 ms
 * slices the node layer opened ~300 MB before each 64 MiB download and received 4-12 % less
 * per second than right after a node:tls download (four runs of six alternations each).
 */
const maxBatches = 16

/** One batch of opens; resolves when done. */
const openBatch = (
  runtime: ManagedRuntime.ManagedRuntime<TlsCrypto, never>,
  key: AeadKey,
  nonce: Uint8Array,
  aad: Uint8Array,
  sealed: Uint8Array,
): (() => Promise<void>) => {
  const sync = key.sync
  if (sync !== undefined) {
    return async () => {
      for (let i = 0; i < batch; i++) if (sync.open(nonce, aad, sealed) === undefined) throw new Error("open failed")
    }
  }
  const opens = Effect.repeatN(key.open(nonce, aad, sealed), batch - 1)
  return () => runtime.runPromise(Effect.asVoid(opens))
}

/** One layer's key and sealed record for one suite, ready to open. */
const prepare = async (runtime: ManagedRuntime.ManagedRuntime<TlsCrypto, never>, suite: BulkSuite) => {
  const algorithm = algorithms[suite]
  const crypto = await runtime.runPromise(TlsCrypto)
  const key = await runtime.runPromise(
    crypto.aeadKey(algorithm, randomFillSync(new Uint8Array(aeadKeyLength(algorithm)))),
  )
  const nonce = randomFillSync(new Uint8Array(12))
  const aad = new Uint8Array([0x17, 0x03, 0x03, (recordLength + 16) >> 8, (recordLength + 16) & 0xff])
  const sealed = await runtime.runPromise(key.seal(nonce, aad, randomFillSync(new Uint8Array(recordLength))))
  const run = openBatch(runtime, key, nonce, aad, sealed)
  await run()
  return run
}

/**
 * Raw open rates measured in slices beside the downloads of the bulk section (one just
 * before and one just after each download of the layer), so the ceiling and the downloads
 * see the same machine: this VM's speed moves within seconds.
 */
export interface RawOpenProbe {
  /**
   * Opens for `sliceMs` or until 16 MiB are opened, whichever comes first (and at least 5
   * batches), with `layer` and `suite`; resolves to the slice's rate (bytes over time), also
   * kept for `rates`.
   */
  readonly sample: (layer: LayerName, suite: BulkSuite, sliceMs: number) => Promise<number>
  /** The rates of every slice so far. */
  readonly rates: () => RawOpenRates
  readonly dispose: () => Promise<void>
}

/** A probe with a runtime per layer. */
export const makeRawOpenProbe = (): RawOpenProbe => {
  const runtimes = new Map(layerNames.map((layer) => [layer, ManagedRuntime.make(effectLayers[layer])] as const))
  /** Per layer and suite: its prepared opens and the rate of every batch so far. */
  const cells = new Map<string, { readonly run: () => Promise<void>; readonly rates: Array<number> }>()
  const cell = (layer: LayerName, suite: BulkSuite) => `${layer}/${suite}`
  return {
    sample: async (layer, suite, sliceMs) => {
      const name = cell(layer, suite)
      let prepared = cells.get(name)
      if (prepared === undefined) {
        prepared = { run: await prepare(runtimes.get(layer)!, suite), rates: [] }
        cells.set(name, prepared)
      }
      const { run, rates } = prepared
      // Bytes over time for the whole slice: the median of the batches' rates would lean to
      // the fast moments, which give more (shorter) batches per second than the slow ones.
      const start = performance.now()
      let batches = 0
      while (batches < minBatches || (batches < maxBatches && performance.now() - start < sliceMs)) {
        await run()
        batches++
      }
      const rate = (batches * batch * recordLength) / 1e6 / ((performance.now() - start) / 1000)
      rates.push(rate)
      return rate
    },
    rates: () => {
      const result = {} as RawOpenRates
      for (const layer of layerNames) {
        result[layer] = {
          aes: spread(cells.get(cell(layer, "aes"))?.rates ?? []),
          chacha: spread(cells.get(cell(layer, "chacha"))?.rates ?? []),
        }
      }
      return result
    },
    dispose: async () => {
      for (const runtime of runtimes.values()) await runtime.dispose()
    },
  }
}
