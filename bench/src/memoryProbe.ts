/**
 * The memory section's measuring process, one per client, so that each starts from a clean
 * heap and a clean RSS (no garbage or freed pages left by other clients or sections). It
 * opens connections to the child server (bounded concurrency), keeps them established and
 * idle, compares `process.memoryUsage()` after a full GC before and after, closes them and
 * prints "RESULT <json>" (a `MemoryStats`). Run with `--expose-gc`; it exits when its stdin
 * closes. Arguments: client name, port, root PEM path, connections, concurrency.
 */
import { readFileSync } from "node:fs"
import { type BenchClient, type ClientName, clientNames, makeClient } from "./clients.js"
import type { MemoryStats } from "./memory.js"

/** Unmeasured connections opened and closed first (code loaded and compiled). */
const warmup = 20

/** Full collections with turns of the event loop between (finalizers, weak refs). */
const settle = async (): Promise<void> => {
  const gc = globalThis.gc
  if (gc === undefined) throw new Error("the memory probe needs node --expose-gc")
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** Runs `task(i)` for i < count, at most `concurrency` at a time. */
const pool = async (count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> => {
  let next = 0
  const worker = async () => {
    while (next < count) await task(next++)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
}

const measure = async (
  client: BenchClient,
  port: number,
  connections: number,
  concurrency: number,
): Promise<MemoryStats> => {
  const group = client.groups[0]!
  await pool(warmup, concurrency, async () => {
    const close = await client.open(port, group)
    await close()
  })
  const closers: Array<() => Promise<void>> = []
  await settle()
  const before = process.memoryUsage()
  const start = performance.now()
  await pool(connections, concurrency, async () => {
    closers.push(await client.open(port, group))
  })
  const openSeconds = (performance.now() - start) / 1000
  await settle()
  const after = process.memoryUsage()
  const closing = performance.now()
  await pool(closers.length, concurrency, (i) => closers[i]!())
  const per = (f: (m: NodeJS.MemoryUsage) => number) => (f(after) - f(before)) / connections
  return {
    heapAndExternalPerConnection: per((m) => m.heapUsed + m.external),
    heapUsedPerConnection: per((m) => m.heapUsed),
    rssPerConnection: per((m) => m.rss),
    openSeconds,
    closeSeconds: (performance.now() - closing) / 1000,
    before,
    after,
  }
}

const [name, port, rootPath, connections, concurrency] = process.argv.slice(2)
if (!clientNames.includes(name as ClientName) || rootPath === undefined) {
  throw new Error("usage: memoryProbe <client> <port> <root.pem> <connections> <concurrency>")
}
process.stdin.on("end", () => process.exit(1))
process.stdin.resume()
const client = await makeClient(name as ClientName, readFileSync(rootPath, "utf8"))
const stats = await measure(client, Number(port), Number(connections), Number(concurrency))
await client.dispose()
process.stdout.write(`RESULT ${JSON.stringify(stats)}\n`)
process.exit(0)
