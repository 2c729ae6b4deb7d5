/**
 * Example: an HTTPS GET over `NodeTls.connect`, reading until the server closes.
 */
import { NodeTls } from "@effect-tls/transport"
import { Effect, Option } from "effect"

export const httpsGet = (host: string, port: number, path: string, options: { readonly ca?: string } = {}) =>
  Effect.scoped(
    Effect.gen(function* () {
      const connection = yield* NodeTls.connect({ host, port, alpn: ["http/1.1"], ...options })
      yield* connection.write(
        new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`),
      )
      let response = ""
      const decoder = new TextDecoder()
      for (;;) {
        const chunk = yield* connection.read
        if (Option.isNone(chunk)) return response // the server's close_notify
        response += decoder.decode(chunk.value, { stream: true })
      }
    }),
  )
