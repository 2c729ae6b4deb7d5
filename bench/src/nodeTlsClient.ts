/** The node:tls client of the comparison: `tls.connect` verified against the bench root, read through `data` events. */
import { connect, type TLSSocket } from "node:tls"
import type { BenchClient, BenchGroup } from "./clients.js"
import { host, serverName } from "./clients.js"
import { connected, destroyed, writeTo } from "./sockets.js"

const curve: Readonly<Record<BenchGroup, string>> = { x25519: "X25519", "P-256": "P-256" }

const open = (port: number, group: BenchGroup, rootPem: string): Promise<TLSSocket> => {
  const socket = connect({
    host,
    port,
    servername: serverName,
    ca: rootPem,
    minVersion: "TLSv1.3",
    ecdhCurve: curve[group],
  })
  socket.setNoDelay(true)
  return connected(socket, "secureConnect")
}

/** node:tls for the bench root. */
export const nodeTlsClient = (rootPem: string): BenchClient => ({
  name: "node:tls",
  groups: ["x25519", "P-256"],
  chacha: true,
  session: async (port, group, use) => {
    const socket = await open(port, group, rootPem)
    try {
      return await use({
        write: (bytes) => writeTo(socket, bytes),
        readToEnd: (onChunk) =>
          new Promise((resolve, reject) => {
            socket.on("data", onChunk)
            socket.once("end", resolve)
            socket.once("error", reject)
          }),
      })
    } finally {
      await destroyed(socket)
    }
  },
  open: async (port, group) => {
    const socket = await open(port, group, rootPem)
    return () => destroyed(socket)
  },
  dispose: async () => {},
})
