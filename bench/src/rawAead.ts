/**
 * Section 2, the ceiling under bulk download: each effect-tls layer's raw AEAD open rate on
 * 16 KiB records, through the TlsCrypto service (`aeadKey`, then `sync.open` when the key
 * has it, else its Effect `open`, run back to back in one fiber as the record layer does).
 * MB/s of plaintext, median over batches of 64 records (1 MiB).
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

/** Open rate of one layer and suite, batches for at least `cellMs`. */
const rate = async (layer: LayerName, suite: BulkSuite, cellMs: number): Promise<Spread> => {
  const runtime = ManagedRuntime.make(effectLayers[layer])
  try {
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
    const rates: Array<number> = []
    const start = performance.now()
    while (rates.length < minBatches || performance.now() - start < cellMs) {
      const t0 = performance.now()
      await run()
      rates.push((batch * recordLength) / 1e6 / ((performance.now() - t0) / 1000))
    }
    return spread(rates)
  } finally {
    await runtime.dispose()
  }
}

/** Raw open rates of every layer for both suites, `cellMs` per cell. */
export const measureRawOpen = async (cellMs: number): Promise<RawOpenRates> => {
  const result = {} as RawOpenRates
  for (const layer of layerNames) {
    result[layer] = { aes: await rate(layer, "aes", cellMs), chacha: await rate(layer, "chacha", cellMs) }
  }
  return result
}
