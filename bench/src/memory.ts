/**
 * Section 3, memory per idle connection: for each client, a fresh measuring process
 * (`memoryProbe.ts`) opens many connections to a node:tls server in another child process
 * and reports what they cost. heapUsed + external is what the JS side holds; RSS also sees
 * native allocations (OpenSSL's, for node:tls) but moves in pages and is noisier.
 */
import type { ClientName } from "./clients.js"
import { startNodeChild } from "./nodeChild.js"
import type { BenchPki } from "./pki.js"
import { startChildTlsServer } from "./tlsServer.js"

/** What one client's idle connections cost, in bytes per connection. */
export interface MemoryStats {
  readonly heapAndExternalPerConnection: number
  readonly heapUsedPerConnection: number
  readonly rssPerConnection: number
  /** Seconds to open them all. */
  readonly openSeconds: number
  /** Seconds to close them all. */
  readonly closeSeconds: number
  readonly before: NodeJS.MemoryUsage
  readonly after: NodeJS.MemoryUsage
}

/** The memory measurements per client. */
export type MemorySet = Partial<Record<ClientName, MemoryStats>>

/** Runs the probe for `client`; resolves to what it reports. */
const probe = (client: ClientName, port: number, rootPath: string, connections: number, concurrency: number) =>
  new Promise<MemoryStats>((resolve, reject) => {
    const { child } = startNodeChild(
      "memoryProbe",
      [client, String(port), rootPath, String(connections), String(concurrency)],
      ["--expose-gc"],
    )
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once("error", reject)
    child.once("exit", (code) => {
      const result = /^RESULT (.*)$/m.exec(output)
      if (code === 0 && result !== null) resolve(JSON.parse(result[1]!) as MemoryStats)
      else reject(new Error(`memory probe for ${client} failed (${code}): ${output.slice(-2000)}`))
    })
  })

/** `connections` idle connections per client, opened `concurrency` at a time. */
export const runMemory = async (
  pki: BenchPki,
  clients: ReadonlyArray<ClientName>,
  connections: number,
  concurrency: number,
): Promise<MemorySet> => {
  const server = await startChildTlsServer(pki)
  try {
    const set: MemorySet = {}
    for (const client of clients)
      set[client] = await probe(client, server.port, pki.rootCertPath, connections, concurrency)
    return set
  } finally {
    await server.stop()
  }
}
