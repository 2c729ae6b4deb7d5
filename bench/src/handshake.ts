/**
 * Section 1, full handshakes: wall time and process CPU time (user + system, all threads)
 * of one complete connection (TCP connect, verified TLS 1.3 handshake, close) against
 * `openssl s_server`, sequentially. Clients take turns round by round (the starting client
 * rotates), so a change in machine load while the section runs hits every client alike.
 */
import type { BenchClient, BenchGroup, ClientName } from "./clients.js"
import { startOpensslServer } from "./opensslServer.js"
import type { BenchPki } from "./pki.js"
import { type Spread, spread } from "./stats.js"

/** One client's handshakes in one set. */
export interface HandshakeStats {
  readonly cpuMs: Spread
  readonly wallMs: Spread
}

/** The handshakes of one group set, per client. */
export type HandshakeSet = Partial<Record<ClientName, HandshakeStats>>

const opensslGroup: Readonly<Record<BenchGroup, string>> = { x25519: "X25519", "P-256": "P-256" }

/** One handshake, timed. */
const timed = async (client: BenchClient, port: number, group: BenchGroup) => {
  const cpu0 = process.cpuUsage()
  const wall0 = performance.now()
  await client.session(port, group, async () => {})
  const wall = performance.now() - wall0
  const cpu = process.cpuUsage(cpu0)
  return { wall, cpu: (cpu.user + cpu.system) / 1000 }
}

/**
 * `runs` handshakes per client (after `warmup` unmeasured ones) against s_server offering
 * `group` and TLS_AES_128_GCM_SHA256; clients that cannot offer `group` are left out.
 */
export const runHandshakeSet = async (
  pki: BenchPki,
  clients: ReadonlyArray<BenchClient>,
  group: BenchGroup,
  runs: number,
  warmup: number,
): Promise<HandshakeSet> => {
  const able = clients.filter((client) => client.groups.includes(group))
  const server = await startOpensslServer(pki, { suite: "TLS_AES_128_GCM_SHA256", group: opensslGroup[group] })
  try {
    for (const client of able) for (let i = 0; i < warmup; i++) await timed(client, server.port, group)
    const walls = able.map(() => [] as Array<number>)
    const cpus = able.map(() => [] as Array<number>)
    for (let round = 0; round < runs; round++) {
      for (let k = 0; k < able.length; k++) {
        const index = (round + k) % able.length
        const { wall, cpu } = await timed(able[index]!, server.port, group)
        walls[index]!.push(wall)
        cpus[index]!.push(cpu)
      }
    }
    const set: HandshakeSet = {}
    able.forEach((client, index) => {
      set[client.name] = { cpuMs: spread(cpus[index]!), wallMs: spread(walls[index]!) }
    })
    return set
  } finally {
    await server.stop()
  }
}
