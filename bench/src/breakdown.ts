/**
 * Section 5, where the time goes: the node and noble layers run with a timed crypto service
 * (timedCrypto.ts) beside node:tls, and the CPU of the main thread (JavaScript) and of the
 * other threads (V8's GC and compiler) is read from /proc. For full x25519 handshakes it
 * splits our CPU into curve operations, hashing (transcript, HKDF, HMAC), AEAD and the rest
 * (parsing, state machine, Effect, sockets); for downloads of the bulk section's size, the
 * CPU per 16 KiB record into AEAD opens and the rest. Means over the measured part, after
 * unrecorded warm-up: the profile behind the targets, not another target.
 */
import { makeNobleCrypto, systemRandom, TlsCrypto } from "@effect-tls/crypto"
import { makeNodeCrypto, nodeRandom } from "@effect-tls/crypto/node"
import { Layer } from "effect"
import { type BulkSuite, checkBody, download, servedFile, startFileServer, suiteNames } from "./bulk.js"
import type { BenchClient, ClientName } from "./clients.js"
import { effectTlsClient } from "./effectTlsClient.js"
import { nodeTlsClient } from "./nodeTlsClient.js"
import { startOpensslServer } from "./opensslServer.js"
import type { BenchPki } from "./pki.js"
import { type CpuUsed, cpuMark, cpuSince } from "./threadCpu.js"
import { type CryptoCategory, type CryptoTotals, type TimedCrypto, timedCrypto } from "./timedCrypto.js"

/** CPU used by a stretch of work: process total, per thread group (Linux), inside the crypto service. */
export interface Usage extends CpuUsed {
  /** Wall milliseconds inside the timed service's calls (effect-tls only). */
  readonly crypto?: Record<CryptoCategory, number>
}

/** Means per handshake. */
export interface HandshakeBreakdown extends Usage {
  readonly client: ClientName
  readonly handshakes: number
}

/** Means per 16 KiB record of one download. */
export interface DownloadBreakdown extends Usage {
  readonly suite: BulkSuite
  readonly client: ClientName
  readonly records: number
}

/** The section's results. */
export interface BreakdownResults {
  readonly handshakes: ReadonlyArray<HandshakeBreakdown>
  /** The size of each download. */
  readonly downloadBytes: number
  readonly downloads: ReadonlyArray<DownloadBreakdown>
}

/** A client and, for effect-tls, the timed service under it. */
interface Subject {
  readonly client: BenchClient
  readonly timed?: TimedCrypto
}

const timedSubject = (layer: "noble" | "node", rootPem: string): Subject => {
  const timed = timedCrypto(layer === "node" ? makeNodeCrypto(nodeRandom) : makeNobleCrypto(systemRandom))
  return { client: effectTlsClient(layer, rootPem, Layer.succeed(TlsCrypto, timed.service)), timed }
}

const categories: ReadonlyArray<CryptoCategory> = ["curve", "hash", "aead"]
const noTotals: CryptoTotals = { ms: { curve: 0, hash: 0, aead: 0 }, opens: 0 }

/** A value per crypto category. */
const perCategory = (value: (category: CryptoCategory) => number): Record<CryptoCategory, number> =>
  Object.fromEntries(categories.map((category) => [category, value(category)])) as Record<CryptoCategory, number>

/** Runs `work` and returns what it used, with the AEAD opens it made. */
const measure = async (subject: Subject, work: () => Promise<unknown>) => {
  const crypto0 = subject.timed?.totals() ?? noTotals
  const mark = cpuMark()
  await work()
  const { cpuMs, threads } = cpuSince(mark)
  const crypto1 = subject.timed?.totals() ?? noTotals
  const crypto = perCategory((c) => crypto1.ms[c] - crypto0.ms[c])
  const usage: Usage = {
    cpuMs,
    ...(threads === undefined ? {} : { threads }),
    ...(subject.timed === undefined ? {} : { crypto }),
  }
  return { usage, opens: crypto1.opens - crypto0.opens }
}

/** The sum of `usages`, times `factor`. */
const sumUsage = (usages: ReadonlyArray<Usage>, factor: number): Usage => {
  const first = usages[0]!
  const sum = (pick: (usage: Usage) => number) => usages.reduce((total, usage) => total + pick(usage), 0) * factor
  return {
    cpuMs: sum((usage) => usage.cpuMs),
    ...(first.threads === undefined
      ? {}
      : { threads: { mainMs: sum((u) => u.threads!.mainMs), otherMs: sum((u) => u.threads!.otherMs) } }),
    ...(first.crypto === undefined ? {} : { crypto: perCategory((c) => sum((u) => u.crypto![c])) }),
  }
}

/** Handshakes are measured in slices of this many per subject, the subjects taking turns. */
const slice = 20

/** About `runs` x25519 handshakes per subject, after `warmup` unrecorded rounds. */
const breakHandshakes = async (
  pki: BenchPki,
  subjects: ReadonlyArray<Subject>,
  runs: number,
  warmup: number,
): Promise<Array<HandshakeBreakdown>> => {
  const server = await startOpensslServer(pki, { suite: suiteNames.aes, group: "X25519" })
  try {
    const handshakes = (client: BenchClient, count: number) => async () => {
      for (let i = 0; i < count; i++) await client.session(server.port, "x25519", async () => {})
    }
    for (let round = 0; round < warmup; round++) for (const { client } of subjects) await handshakes(client, 1)()
    const slices = Math.max(1, Math.round(runs / slice))
    const usages = subjects.map(() => [] as Array<Usage>)
    for (let round = 0; round < slices; round++) {
      for (const [index, subject] of subjects.entries()) {
        usages[index]!.push((await measure(subject, handshakes(subject.client, slice))).usage)
      }
    }
    const count = slices * slice
    return subjects.map(({ client }, index) => ({
      client: client.name,
      handshakes: count,
      ...sumUsage(usages[index]!, 1 / count),
    }))
  } finally {
    await server.stop()
  }
}

const recordSize = 16384

/** One download of `bytes` per subject and suite, after one unrecorded. */
const breakDownloads = async (
  pki: BenchPki,
  subjects: ReadonlyArray<Subject>,
  bytes: number,
): Promise<Array<DownloadBreakdown>> => {
  const file = servedFile(bytes)
  const results: Array<DownloadBreakdown> = []
  try {
    for (const suite of ["aes", "chacha"] as const) {
      const server = await startFileServer(pki, suite, "X25519", file.dir)
      try {
        for (const subject of subjects) await download(subject.client, server.port)
        for (const subject of subjects) {
          let measured: Awaited<ReturnType<typeof measure>> | undefined
          const { body } = await download(subject.client, server.port, async (work) => {
            measured = await measure(subject, work)
          })
          checkBody(subject.client.name, suite, body, bytes)
          const records = subject.timed === undefined ? Math.ceil(bytes / recordSize) : measured!.opens
          results.push({ suite, client: subject.client.name, records, ...sumUsage([measured!.usage], 1000 / records) })
        }
      } finally {
        await server.stop()
      }
    }
    return results
  } finally {
    file.remove()
  }
}

/** The section: node:tls and the node and noble layers, handshakes then downloads. */
export const runBreakdown = async (
  pki: BenchPki,
  handshakeRuns: number,
  warmup: number,
  bulkBytes: number,
): Promise<BreakdownResults> => {
  const subjects: ReadonlyArray<Subject> = [
    { client: nodeTlsClient(pki.rootPem) },
    timedSubject("node", pki.rootPem),
    timedSubject("noble", pki.rootPem),
  ]
  try {
    return {
      handshakes: await breakHandshakes(pki, subjects, handshakeRuns, warmup),
      downloadBytes: bulkBytes,
      downloads: await breakDownloads(pki, subjects, bulkBytes),
    }
  } finally {
    for (const { client } of subjects) await client.dispose()
  }
}
