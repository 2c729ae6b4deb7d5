/**
 * `effect-tls demo`: the self-contained tour. Starts a loopback node:tls server with a
 * throwaway CA and leaf made at start, connects to it with effect-tls (certificate verified
 * against that CA), exchanges a message both ways, compares the exported keying material
 * with the server's, and prints what was negotiated and verified. No network beyond
 * 127.0.0.1.
 *
 * @since 0.1.0
 */
import { createServer, type Server, type TLSSocket } from "node:tls"
import { Command } from "@effect/cli"
import { NodeTls } from "@effect-tls/transport"
import { Console, Effect, Option } from "effect"
import { certificateReport } from "./report.js"
import { makeThrowawayPki } from "./throwawayPki.js"

const startServer = (cert: string, key: string) =>
  Effect.acquireRelease(
    Effect.async<{ server: Server; port: number; sockets: Array<TLSSocket> }>((resume) => {
      const sockets: Array<TLSSocket> = []
      const server = createServer({ cert, key, minVersion: "TLSv1.3" }, (socket) => {
        sockets.push(socket)
        socket.on("data", (data) => socket.write(`server heard: ${data}`))
        socket.on("error", () => {})
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        resume(Effect.succeed({ server, port: typeof address === "object" && address ? address.port : 0, sockets }))
      })
    }),
    ({ server, sockets }) =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      }),
  )

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex")

const demo = Effect.scoped(
  Effect.gen(function* () {
    const pki = makeThrowawayPki()
    yield* Console.log("effect-tls demo: a TLS 1.3 client on Effect, against a node:tls server on 127.0.0.1\n")
    yield* Console.log("1. made a throwaway CA and a server certificate for localhost (ECDSA P-256)")
    const { port, sockets } = yield* startServer(`${pki.leafCertificate}`, pki.leafKey)
    yield* Console.log(`2. node:tls server listening on 127.0.0.1:${port}`)

    const started = performance.now()
    const connection = yield* NodeTls.connect({
      host: "127.0.0.1",
      port,
      serverName: "localhost",
      ca: pki.caCertificate,
    })
    const handshakeMs = performance.now() - started
    const session = connection.session
    const leaf = certificateReport(session.peerCertificates[0]!)
    yield* Console.log(`3. handshake complete in ${handshakeMs.toFixed(1)} ms`)
    yield* Console.log(`     version            ${session.version}`)
    yield* Console.log(`     cipher suite       ${session.cipherSuite}`)
    yield* Console.log(
      `     key exchange       ${session.group}${session.helloRetryRequest ? " (after HelloRetryRequest)" : ""}`,
    )
    yield* Console.log(`     server signature   ${session.signatureScheme}`)
    yield* Console.log(`     server name (SNI)  ${session.serverName}`)
    yield* Console.log(
      `     certificate        ${leaf.subject}, issued by ${leaf.issuer}, ${leaf.keyType}, valid until ${leaf.notAfter}`,
    )
    yield* Console.log(
      `     verification       ${session.certificateVerified ? "OK: chain to the demo CA, name localhost matches" : "DISABLED"}`,
    )

    const message = "hello from effect-tls"
    yield* connection.write(new TextEncoder().encode(message))
    const reply = yield* connection.read
    const answer = Option.match(reply, { onNone: () => "(closed)", onSome: (d) => new TextDecoder().decode(d) })
    yield* Console.log(`4. sent "${message}", received "${answer}"`)

    const ours = yield* connection.channelBinding
    const theirs = sockets[0]!.exportKeyingMaterial(32, "EXPORTER-Channel-Binding", Buffer.alloc(0))
    const same = hex(ours) === theirs.toString("hex")
    yield* Console.log(
      `5. tls-exporter channel binding (RFC 9266): ${hex(ours).slice(0, 32)}... ${same ? "equals" : "DIFFERS FROM"} the server's`,
    )
    yield* connection.shutdown
    yield* Console.log("6. sent close_notify; done")
    if (!same || answer !== `server heard: ${message}` || !session.certificateVerified) {
      return yield* Effect.fail(new Error("the demo's checks did not hold"))
    }
  }),
)

/** The `demo` command. @since 0.1.0 */
export const demoCommand = Command.make("demo", {}, () =>
  demo.pipe(
    Effect.catchAll((error) =>
      Effect.zipRight(
        Console.error(`effect-tls demo failed: ${error.message}`),
        Effect.sync(() => {
          process.exitCode = 1
        }),
      ),
    ),
  ),
).pipe(Command.withDescription("run a TLS 1.3 handshake against a throwaway local server and print what happened"))
