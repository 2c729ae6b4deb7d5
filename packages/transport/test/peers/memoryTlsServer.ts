// A node:tls server with no TCP at all, for memory-mode tests: a `TLSSocket` with
// `isServer: true` over an in-memory `stream.Duplex` whose other end the test drives by hand,
// pushing in the bytes our client produced and taking out the bytes the server wrote.
import { Duplex } from "node:stream"
import { TLSSocket } from "node:tls"
import { Effect, type Scope } from "effect"
import { getTestPki } from "./certs.js"
import { type PeerError, peerError, toPeerError } from "./errors.js"
import { type ExportedKey, exportKeys, type NodeTlsPeerOptions, serverTlsOptions } from "./nodeTlsShared.js"

/** Options of `makeMemoryTlsServer`. */
export interface MemoryTlsServerOptions extends NodeTlsPeerOptions {
  /** `echo` (default) sends back the plaintext it receives; `manual` only sends what `write` is given. */
  readonly mode?: "echo" | "manual"
}

/** The in-memory server, with promise-returning methods where something must be waited for. */
export interface AsyncMemoryTlsServer {
  /** The server's TLSSocket (for `getProtocol()`, `getCipher()`, `exportKeyingMaterial`, ...). */
  readonly socket: TLSSocket
  /** Hands the server bytes from the client (TLS records, any split). */
  readonly push: (bytes: Uint8Array) => void
  /** Ends the client-to-server direction (a FIN, not a close_notify). */
  readonly end: () => void
  /** Takes (and clears) the bytes the server has written so far; empty when there are none. */
  readonly take: () => Uint8Array
  /**
   * Waits until the server has written at least one byte, then takes; resolves empty once the
   * server has ended its output or closed. The server answers a `push` asynchronously, so use this (not
   * `take`) right after pushing. Rejects with a
   * `PeerError` (`Timeout`) when nothing comes within `timeoutMs` (default 5 s).
   */
  readonly read: (timeoutMs?: number) => Promise<Uint8Array>
  /** Whether the server has closed its sending side (after its close_notify, if any) or its socket. */
  readonly outputEnded: () => boolean
  /** Resolves when the handshake is complete; rejects with the server's error if it fails. */
  readonly secure: Promise<void>
  /** The plaintext received from the client so far. */
  readonly received: () => Uint8Array
  /** Sends plaintext to the client (it appears in `take`/`read` as records). */
  readonly write: (data: string | Uint8Array) => Promise<void>
  /** The `exporters` of the options, computed once the handshake completed. */
  readonly exported: () => ReadonlyArray<ExportedKey>
  /** NSS key log lines of this connection, without newlines. */
  readonly keyLog: ReadonlyArray<string>
  /** Errors the TLS socket emitted (e.g. a bad record from the client). */
  readonly errors: ReadonlyArray<Error>
  /** Destroys the socket. */
  readonly destroy: () => void
}

/** `AsyncMemoryTlsServer` with Effect-returning methods. */
export interface MemoryTlsServer {
  readonly socket: TLSSocket
  readonly push: (bytes: Uint8Array) => Effect.Effect<void>
  readonly end: Effect.Effect<void>
  readonly take: Effect.Effect<Uint8Array>
  readonly read: (timeoutMs?: number) => Effect.Effect<Uint8Array, PeerError>
  readonly outputEnded: () => boolean
  readonly secure: Effect.Effect<void, PeerError>
  readonly received: () => Uint8Array
  readonly write: (data: string | Uint8Array) => Effect.Effect<void, PeerError>
  readonly exported: () => ReadonlyArray<ExportedKey>
  readonly keyLog: ReadonlyArray<string>
  readonly errors: ReadonlyArray<Error>
  readonly async: AsyncMemoryTlsServer
}

/** Makes the in-memory server; it waits for the client's first bytes (`push`). Call `destroy()` when done. */
export const makeMemoryTlsServerAsync = async (options: MemoryTlsServerOptions = {}): Promise<AsyncMemoryTlsServer> => {
  const pki = await getTestPki()
  const output: Array<Uint8Array> = []
  const received: Array<Uint8Array> = []
  const keyLog: Array<string> = []
  const errors: Array<Error> = []
  let exported: ReadonlyArray<ExportedKey> = []
  let ended = false
  const listeners = new Set<() => void>()
  const notify = (): void => {
    for (const listener of listeners) listener()
  }

  // The server's transport: what the TLS socket writes is kept for `take`; `push` feeds its reads.
  const wire = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      output.push(new Uint8Array(chunk))
      notify()
      callback()
    },
    final(callback) {
      ended = true
      notify()
      callback()
    },
  })
  const socket = new TLSSocket(wire, { ...serverTlsOptions(pki, options), isServer: true })
  socket.once("close", () => {
    ended = true
    notify()
  })
  socket.on("keylog", (line) => keyLog.push(line.toString("utf8").trimEnd()))
  socket.on("data", (chunk: Buffer) => {
    received.push(new Uint8Array(chunk))
    if (options.mode !== "manual") socket.write(chunk)
  })
  const secure = new Promise<void>((resolve, reject) => {
    socket.once("secure", () => {
      exported = exportKeys(socket, options.exporters ?? [])
      resolve()
    })
    socket.on("error", (error) => {
      errors.push(error)
      reject(error)
    })
  })
  // The rejection is reported through `secure` to whoever awaits it; do not let it go unhandled.
  secure.catch(() => {})

  const take = (): Uint8Array => {
    const bytes = new Uint8Array(Buffer.concat(output))
    output.length = 0
    return bytes
  }
  const read = (timeoutMs = 5_000): Promise<Uint8Array> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (output.length === 0 && !ended) return
        clearTimeout(timer)
        listeners.delete(check)
        resolve(take())
      }
      const timer = setTimeout(() => {
        listeners.delete(check)
        const why = errors.map((e) => e.message).join("\n")
        reject(peerError("Timeout", `in-memory node:tls server wrote nothing within ${timeoutMs} ms`, why))
      }, timeoutMs)
      listeners.add(check)
      check()
    })

  return {
    socket,
    push: (bytes) => {
      wire.push(Buffer.from(bytes))
    },
    end: () => {
      wire.push(null)
    },
    take,
    read,
    outputEnded: () => ended,
    secure,
    received: () => new Uint8Array(Buffer.concat(received)),
    write: (data) =>
      new Promise((resolve, reject) => socket.write(data, (error) => (error == null ? resolve() : reject(error)))),
    exported: () => exported,
    keyLog,
    errors,
    destroy: () => {
      socket.destroy()
      wire.destroy()
    },
  }
}

/** `makeMemoryTlsServerAsync` as a scoped Effect: the socket is destroyed when the scope closes. */
export const makeMemoryTlsServer = (
  options: MemoryTlsServerOptions = {},
): Effect.Effect<MemoryTlsServer, PeerError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({ try: () => makeMemoryTlsServerAsync(options), catch: toPeerError }),
    (server) => Effect.sync(server.destroy),
  ).pipe(
    Effect.map(
      (server): MemoryTlsServer => ({
        socket: server.socket,
        push: (bytes) => Effect.sync(() => server.push(bytes)),
        end: Effect.sync(server.end),
        take: Effect.sync(server.take),
        read: (timeoutMs) => Effect.tryPromise({ try: () => server.read(timeoutMs), catch: toPeerError }),
        outputEnded: server.outputEnded,
        secure: Effect.tryPromise({ try: () => server.secure, catch: toPeerError }),
        received: server.received,
        write: (data) => Effect.tryPromise({ try: () => server.write(data), catch: toPeerError }),
        exported: server.exported,
        keyLog: server.keyLog,
        errors: server.errors,
        async: server,
      }),
    ),
  )
