/** Promise helpers over `net.Socket` shared by the node:tls and subtls clients. */
import type { Socket } from "node:net"

/** Destroys a socket and waits for its close. */
export const destroyed = (socket: Socket): Promise<void> =>
  new Promise((resolve) => {
    if (socket.destroyed) return resolve()
    socket.once("close", () => resolve())
    socket.destroy()
  })

/** Writes `bytes`; resolves once they are handed to the OS. */
export const writeTo = (socket: Socket, bytes: Uint8Array): Promise<void> =>
  new Promise((resolve, reject) => socket.write(bytes, (error) => (error ? reject(error) : resolve())))

/** Resolves with `socket` once `event` fires, rejects on an earlier error; later errors are ignored. */
export const connected = <S extends Socket>(socket: S, event: "connect" | "secureConnect"): Promise<S> =>
  new Promise((resolve, reject) => {
    socket.once(event, () => {
      socket.off("error", reject)
      socket.on("error", () => {})
      resolve(socket)
    })
    socket.once("error", reject)
  })
