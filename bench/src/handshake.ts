/**
 * Section 1, full handshakes: wall time and process CPU time (user + system, all threads)
 * of one complete connection (TCP connect, verified TLS 1.3 handshake, close) against
 * `openssl s_server`, sequentially. Clients take turns round by round (the starting client
 * rotates), and so do the two sets, so a change in machine load or in how warm the process
 * is while the section runs hits every client and both sets alike.
 */
import type { BenchClient, BenchGroup, ClientName } from "./clients.js"
import { type CurveOpsProbe, type CurveOpsSample, curveOpsTotal } from "./curveOps.js"
import { type OpensslServer, startOpensslServer } from "./opensslServer.js"
import type { BenchPki } from "./pki.js"
import { type Spread, spread } from "./stats.js"
import { cpuMark, cpuSince } from "./threadCpu.js"
import { type WarmupSlice, warmupSlices } from "./warmup.js"

/** One client's handshakes in one set. */
export interface HandshakeStats {
  readonly cpuMs: Spread
  /** The main thread's part of `cpuMs` (where /proc tells the threads apart). */
  readonly mainCpuMs?: Spread
  readonly wallMs: Spread
}

/** The handshakes of one group set, per client. */
export type HandshakeSet = Partial<Record<ClientName, HandshakeStats>>

const opensslGroup: Readonly<Record<BenchGroup, string>> = { x25519: "X25519", "P-256": "P-256" }

/** One handshake, timed. */
const timed = async (client: BenchClient, port: number, group: BenchGroup) => {
  const mark = cpuMark()
  const wall0 = performance.now()
  await client.session(port, group, async () => {})
  const wall = performance.now() - wall0
  const used = cpuSince(mark)
  return { wall, cpu: used.cpuMs, main: used.threads?.mainMs }
}

/** Both sets, with the noble curve-op samples taken between their rounds. */
export interface HandshakeSets {
  readonly sets: Record<BenchGroup, HandshakeSet>
  readonly curveOps: Record<BenchGroup, ReadonlyArray<CurveOpsSample>>
  /** The warm-up rounds of each set, in slices. */
  readonly warmup: Record<BenchGroup, ReadonlyArray<WarmupSlice>>
}

const groups: ReadonlyArray<BenchGroup> = ["x25519", "P-256"]

/** One set's server, clients and measurements. */
interface SetPlan {
  readonly group: BenchGroup
  readonly port: number
  readonly able: ReadonlyArray<BenchClient>
  readonly walls: Array<Array<number>>
  readonly cpus: Array<Array<number>>
  /** Main-thread CPU per handshake, per client (empty where /proc cannot tell). */
  readonly mains: Array<Array<number>>
  readonly samples: Array<CurveOpsSample>
  /** The same for the warm-up rounds: CPU per client, and the curve operations' total per round. */
  readonly warmCpus: Array<Array<number>>
  readonly warmCurveOps: Array<number>
}

/**
 * `runs` handshakes per client and set (after `warmup` rounds kept apart), against one
 * s_server per set offering its group and TLS_AES_128_GCM_SHA256; clients that cannot
 * offer a set's group are left out of it. The sets take turns too: a round is one handshake
 * of every client in the x25519 set, one run of its curve operations (see curveOps.ts),
 * then the same for the P-256 set, so neither set is measured while the process is colder
 * (measured one after the other, whichever set came first was 0.2-0.3x worse for our
 * clients against node:tls).
 */
export const runHandshakeSets = async (
  pki: BenchPki,
  clients: ReadonlyArray<BenchClient>,
  runs: number,
  warmup: number,
  curveOps: CurveOpsProbe,
): Promise<HandshakeSets> => {
  const servers: Array<OpensslServer> = []
  try {
    const plans: Array<SetPlan> = []
    for (const group of groups) {
      const server = await startOpensslServer(pki, { suite: "TLS_AES_128_GCM_SHA256", group: opensslGroup[group] })
      servers.push(server)
      const able = clients.filter((client) => client.groups.includes(group))
      plans.push({
        group,
        port: server.port,
        able,
        walls: able.map(() => []),
        cpus: able.map(() => []),
        mains: able.map(() => []),
        samples: [],
        warmCpus: able.map(() => []),
        warmCurveOps: [],
      })
    }
    // Warm-up rounds (negative) have the shape of measured ones; only their CPU times are kept, apart.
    for (let round = -warmup; round < runs; round++) {
      for (const plan of plans) {
        for (let k = 0; k < plan.able.length; k++) {
          const index = (round + warmup + k) % plan.able.length
          const { wall, cpu, main } = await timed(plan.able[index]!, plan.port, plan.group)
          if (round < 0) {
            plan.warmCpus[index]!.push(cpu)
            continue
          }
          plan.walls[index]!.push(wall)
          plan.cpus[index]!.push(cpu)
          if (main !== undefined) plan.mains[index]!.push(main)
        }
        const sample = curveOps.sample(plan.group)
        if (round >= 0) plan.samples.push(sample)
        else plan.warmCurveOps.push(curveOpsTotal(sample))
      }
    }
    const sets = {} as Record<BenchGroup, HandshakeSet>
    const samples = {} as Record<BenchGroup, ReadonlyArray<CurveOpsSample>>
    const warm = {} as Record<BenchGroup, ReadonlyArray<WarmupSlice>>
    for (const plan of plans) {
      const set: HandshakeSet = {}
      plan.able.forEach((client, index) => {
        const mains = plan.mains[index]!
        set[client.name] = {
          cpuMs: spread(plan.cpus[index]!),
          ...(mains.length === 0 ? {} : { mainCpuMs: spread(mains) }),
          wallMs: spread(plan.walls[index]!),
        }
      })
      sets[plan.group] = set
      samples[plan.group] = plan.samples
      const names = plan.able.map((client) => client.name)
      warm[plan.group] = warmupSlices(warmup, names, plan.warmCpus, plan.warmCurveOps)
    }
    return { sets, curveOps: samples, warmup: warm }
  } finally {
    for (const server of servers) await server.stop()
  }
}
