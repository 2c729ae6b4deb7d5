/**
 * The subtls client of the comparison, over a net.Socket. subtls offers only P-256 and
 * AES-128-GCM, never sends close_notify (its connections end by destroying the socket), and
 * has no `exports` map, hence the `subtls/index.js` import.
 */
import { connect, type Socket } from "node:net"
import { SocketReadQueue, startTls, TrustedCert } from "subtls/index.js"
import { type BenchClient, host, serverName } from "./clients.js"
import { connected, destroyed } from "./sockets.js"

type SubtlsRoots = Awaited<ReturnType<typeof TrustedCert.databaseFromPEM>>

/** A TCP connection with subtls's handshake done over it. */
const open = async (port: number, roots: SubtlsRoots) => {
  const socket: Socket = await connected(connect({ host, port, noDelay: true }), "connect")
  try {
    const queue = new SocketReadQueue(socket)
    const connection = await startTls(serverName, roots, queue.read.bind(queue), (data) => {
      socket.write(data)
    })
    return { socket, connection }
  } catch (error) {
    await destroyed(socket)
    throw error
  }
}

/** subtls for the bench root. */
export const subtlsClient = async (rootPem: string): Promise<BenchClient> => {
  const roots = await TrustedCert.databaseFromPEM(rootPem)
  return {
    name: "subtls",
    groups: ["P-256"],
    chacha: false,
    session: async (port, _group, use) => {
      const { socket, connection } = await open(port, roots)
      try {
        return await use({
          write: (bytes) => connection.write(bytes),
          readToEnd: async (onChunk) => {
            for (;;) {
              const chunk = await connection.read()
              if (chunk === undefined) return
              onChunk(chunk)
            }
          },
        })
      } finally {
        await destroyed(socket)
      }
    },
    open: async (port) => {
      const { socket } = await open(port, roots)
      return () => destroyed(socket)
    },
    dispose: async () => {},
  }
}
