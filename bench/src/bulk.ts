/**
 * Section 2, bulk download: MB/s (10^6 bytes per second) of one HTTP/1.0 GET of a file
 * served by `openssl s_server -WWW` from a temp dir, read until the server closes, with
 * TLS_AES_128_GCM_SHA256 and with TLS_CHACHA20_POLY1305_SHA256. Timed from the request to
 * the end of the response (the handshake is not counted); the body's byte count is checked.
 * Clients take turns, round by round, after one unrecorded download of the same file each:
 * the process keeps getting faster over the first ~100 MiB a client receives (compiled code,
 * heap limits sized to the traffic), and a 4 MiB warm-up left effect-tls's node layer
 * measured 10-30 % below its steady rate. A turn lasts at least a second of downloading, so
 * a fast client (64 MiB in 0.15-0.3 s) downloads several times per turn: this VM's speed
 * moves within a second, and one download per turn left node:tls and the node layer's
 * medians at the mercy of which moments they fell on.
 */
import { randomFillSync } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { onCleanup } from "./cleanup.js"
import type { BenchClient, ClientName } from "./clients.js"
import { startOpensslServer } from "./opensslServer.js"
import type { BenchPki } from "./pki.js"
import { type Spread, spread } from "./stats.js"
import { processCpuMs } from "./threadCpu.js"

/** One client's downloads with one suite. */
export interface BulkStats {
  readonly mbps: Spread
  /** Process CPU milliseconds per MB received. */
  readonly cpuMsPerMB: Spread
  /**
   * effect-tls clients: each download's rate over its layer's raw AEAD open rate measured
   * just before and just after it (the mean of the two slices' rates).
   */
  readonly perRawOpen?: Spread
}

/** The raw open rate of a client's layer, measured now (MB/s); undefined for clients without one. */
export type RawOpenRate = (client: BenchClient, suite: BulkSuite) => Promise<number> | undefined

/** The downloads with one suite, per client. */
export type BulkSet = Partial<Record<ClientName, BulkStats>>

/** The suites of the bulk section. */
export type BulkSuite = "aes" | "chacha"

/** The TLS 1.3 suite of each bulk suite, as s_server names it. */
export const suiteNames: Readonly<Record<BulkSuite, string>> = {
  aes: "TLS_AES_128_GCM_SHA256",
  chacha: "TLS_CHACHA20_POLY1305_SHA256",
}

const request = new TextEncoder().encode("GET /file HTTP/1.0\r\n\r\n")

const endOfHeader = Buffer.from("\r\n\r\n")

/** Runs the timed part of a download (from the request to the end); the breakdown measures around it. */
export type AroundDownload = (work: () => Promise<void>) => Promise<void>

/**
 * One download: seconds, CPU ms and the body length (total received minus the HTTP header);
 * `around` runs the timed part.
 */
export const download = (client: BenchClient, port: number, around: AroundDownload = (work) => work()) =>
  client.session(port, client.groups[0]!, async (stream) => {
    let received = 0
    let head = Buffer.alloc(0)
    let headerLength = -1
    let seconds = 0
    let cpuMs = 0
    await around(async () => {
      const cpu0 = processCpuMs()
      const wall0 = performance.now()
      await stream.write(request)
      await stream.readToEnd((chunk) => {
        received += chunk.length
        if (headerLength >= 0) return
        head = Buffer.concat([head, chunk.subarray(0, 4096)])
        const at = head.indexOf(endOfHeader)
        if (at >= 0) headerLength = at + endOfHeader.length
        else if (head.length > 8192) throw new Error(`${client.name}: no end of HTTP header in ${head.length} bytes`)
      })
      seconds = (performance.now() - wall0) / 1000
      cpuMs = processCpuMs() - cpu0
    })
    return { seconds, cpuMs, body: headerLength < 0 ? -1 : received - headerLength }
  })

/** Throws unless a download's body had the `bytes` the served file has. */
export const checkBody = (client: ClientName, suite: BulkSuite, body: number, bytes: number): void => {
  if (body !== bytes) throw new Error(`${client} (${suite}): body of ${body} bytes, expected ${bytes}`)
}

/** A temp dir holding `file` of `bytes` random bytes; removed by the returned function. */
export const servedFile = (bytes: number): { readonly dir: string; readonly remove: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), "effect-tls-bench-www-"))
  const remove = () => rmSync(dir, { recursive: true, force: true })
  const unregister = onCleanup(remove)
  writeFileSync(join(dir, "file"), randomFillSync(Buffer.alloc(bytes)))
  return {
    dir,
    remove: () => {
      unregister()
      remove()
    },
  }
}

/** An `s_server -WWW` serving the files of `dir` with `suite`, offering `group` (s_server's names). */
export const startFileServer = (pki: BenchPki, suite: BulkSuite, group: string, dir: string) =>
  startOpensslServer(pki, { suite: suiteNames[suite], group, args: ["-WWW"], cwd: dir })

/**
 * `rounds` rounds of downloads of `bytes` per client and suite, in which each client
 * downloads until its turn has lasted `minTurnSeconds` (at least once); clients that cannot
 * do a suite are left out. The server offers x25519 and P-256 (subtls offers only P-256).
 * `rawOpenRate` is measured just before and just after each download of a client that has a
 * layer.
 */
export const runBulk = async (
  pki: BenchPki,
  clients: ReadonlyArray<BenchClient>,
  bytes: number,
  rounds: number,
  minTurnSeconds: number,
  rawOpenRate: RawOpenRate,
): Promise<Record<BulkSuite, BulkSet>> => {
  const file = servedFile(bytes)
  try {
    const results: Record<BulkSuite, BulkSet> = { aes: {}, chacha: {} }
    for (const suite of ["aes", "chacha"] as const) {
      const able = clients.filter((client) => suite === "aes" || client.chacha)
      const server = await startFileServer(pki, suite, "X25519:P-256", file.dir)
      try {
        for (const client of able) await download(client, server.port)
        const rates = able.map(() => [] as Array<number>)
        const cpus = able.map(() => [] as Array<number>)
        const perRaw = able.map(() => [] as Array<number>)
        for (let round = 0; round < rounds; round++) {
          for (const [index, client] of able.entries()) {
            let turn = 0
            do {
              const before = await rawOpenRate(client, suite)
              const { seconds, cpuMs, body } = await download(client, server.port)
              const after = await rawOpenRate(client, suite)
              checkBody(client.name, suite, body, bytes)
              const rate = bytes / 1e6 / seconds
              rates[index]!.push(rate)
              cpus[index]!.push(cpuMs / (bytes / 1e6))
              if (before !== undefined && after !== undefined) perRaw[index]!.push(rate / ((before + after) / 2))
              turn += seconds
            } while (turn < minTurnSeconds)
          }
        }
        able.forEach((client, index) => {
          const paired = perRaw[index]!
          results[suite][client.name] = {
            mbps: spread(rates[index]!),
            cpuMsPerMB: spread(cpus[index]!),
            ...(paired.length === 0 ? {} : { perRawOpen: spread(paired) }),
          }
        })
      } finally {
        await server.stop()
      }
    }
    return results
  } finally {
    file.remove()
  }
}
