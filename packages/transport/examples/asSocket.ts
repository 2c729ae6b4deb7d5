/**
 * Example: a `TlsConnection` where a platform `Socket` is expected. Code written against
 * `Socket.Socket` (here a line-echo client through `Socket.toChannel`) runs over TLS unchanged.
 */
import * as Socket from "@effect/platform/Socket"
import { NodeTls } from "@effect-tls/transport"
import { Chunk, Effect, Stream } from "effect"

/** Generic platform code: sends lines over whatever Socket it is given, collects the replies. */
export const exchangeLines = (lines: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const socket = yield* Socket.Socket
    const encoder = new TextEncoder()
    const replies = yield* Stream.fromIterable(lines.map((line) => encoder.encode(`${line}\n`))).pipe(
      Stream.rechunk(1),
      Stream.pipeThroughChannel(Socket.toChannel(socket)),
      Stream.decodeText(),
      Stream.runCollect,
    )
    return Chunk.join(replies, "")
  })

export const linesOverTls = (host: string, port: number, ca: string, lines: ReadonlyArray<string>) =>
  Effect.scoped(
    Effect.flatMap(NodeTls.connect({ host, port, ca }), (connection) =>
      Effect.provideService(exchangeLines(lines), Socket.Socket, connection),
    ),
  )
