/**
 * `effect-tls connect HOST:PORT`: the `openssl s_client` of this project. Flags and JSON
 * fields are a contract (see report.ts).
 *
 * @since 0.1.0
 */
import { readFileSync, writeFileSync } from "node:fs"
import { Args, Command, HelpDoc, Options } from "@effect/cli"
import type { CleanShutdown } from "@effect-tls/core"
import { Fatal, FatalReason } from "@effect-tls/core"
import { keyLogFile, NodeTls, type TlsConnection, type TlsOptionsInput } from "@effect-tls/transport"
import { Console, Duration, Effect, Either, Layer, Option } from "effect"
import { type ClosedBy, failureJson, type Success, successJson, successText } from "./report.js"
import { commaList, decodeEscapes, parseTarget, type Target } from "./target.js"

const target = Args.text({ name: "HOST:PORT" }).pipe(
  Args.mapEffect((text) =>
    Either.match(parseTarget(text), { onLeft: (m) => Effect.fail(HelpDoc.p(m)), onRight: Effect.succeed }),
  ),
)

const options = {
  servername: Options.text("servername").pipe(
    Options.optional,
    Options.withDescription("SNI and the name to verify (default: HOST)"),
  ),
  ca: Options.file("ca", { exists: "yes" }).pipe(
    Options.optional,
    Options.withDescription("PEM trust anchors (default: the system's roots)"),
  ),
  insecure: Options.boolean("insecure").pipe(
    Options.withDescription("no certificate verification (prints a warning on stderr)"),
  ),
  tls: Options.choice("tls", ["1.2", "1.3"]).pipe(Options.optional, Options.withDescription("only this version")),
  ciphers: Options.text("ciphers").pipe(
    Options.optional,
    Options.withDescription("IANA suite names in preference order"),
  ),
  groups: Options.text("groups").pipe(
    Options.optional,
    Options.withDescription("groups in preference order; the first gets a key share"),
  ),
  sigalgs: Options.text("sigalgs").pipe(Options.optional, Options.withDescription("IANA signature scheme names")),
  alpn: Options.text("alpn").pipe(Options.optional, Options.withDescription("ALPN protocols")),
  cert: Options.file("cert", { exists: "yes" }).pipe(
    Options.optional,
    Options.withDescription("client certificate chain (PEM)"),
  ),
  key: Options.file("key", { exists: "yes" }).pipe(
    Options.optional,
    Options.withDescription("client private key (PKCS#8 PEM)"),
  ),
  keylog: Options.file("keylog").pipe(Options.optional, Options.withDescription("append NSS key log lines")),
  send: Options.text("send").pipe(
    Options.optional,
    Options.withDescription("write TEXT after the handshake, then read"),
  ),
  readTimeout: Options.integer("read-timeout").pipe(
    Options.withDefault(5000),
    Options.withDescription("see --send (ms)"),
  ),
  output: Options.file("output").pipe(Options.optional, Options.withDescription("write received bytes to FILE")),
  count: Options.integer("count").pipe(Options.withDefault(1), Options.withDescription("N sequential full handshakes")),
  timeout: Options.integer("timeout").pipe(Options.optional, Options.withDescription("handshake timeout (ms)")),
  crypto: Options.choice("crypto", ["noble", "node"]).pipe(Options.withDefault("noble" as const)),
  json: Options.boolean("json").pipe(Options.withDescription("print exactly one JSON object on stdout")),
}

type Flags = { readonly [K in keyof typeof options]: (typeof options)[K] extends Options.Options<infer A> ? A : never }

const configError = (detail: string) => new Fatal({ reason: FatalReason.Config({ detail }) })

const readText = (path: string, what: string) =>
  Effect.try({ try: () => readFileSync(path, "utf8"), catch: () => configError(`cannot read ${what} ${path}`) })

const tlsOptions = (target: Target, flags: Flags): Effect.Effect<TlsOptionsInput, Fatal> =>
  Effect.gen(function* () {
    const list = (flag: Option.Option<string>) => Option.map(flag, commaList)
    const cert = Option.getOrUndefined(flags.cert)
    const key = Option.getOrUndefined(flags.key)
    if ((cert === undefined) !== (key === undefined)) return yield* configError("--cert and --key go together")
    const optional = <A>(name: string, value: Option.Option<A>) => (Option.isSome(value) ? { [name]: value.value } : {})
    return {
      serverName: Option.getOrElse(flags.servername, () => target.host),
      insecure: flags.insecure,
      ...optional("ca", Option.isSome(flags.ca) ? Option.some(yield* readText(flags.ca.value, "--ca")) : Option.none()),
      ...optional(
        "versions",
        Option.map(flags.tls, (v) => [v === "1.2" ? "TLSv1.2" : "TLSv1.3"]),
      ),
      ...optional("cipherSuites", list(flags.ciphers)),
      ...optional("groups", list(flags.groups)),
      ...optional(
        "keyShareGroups",
        Option.map(list(flags.groups), (groups) => groups.slice(0, 1)),
      ),
      ...optional("signatureSchemes", list(flags.sigalgs)),
      ...optional("alpn", list(flags.alpn)),
      ...optional("handshakeTimeoutMs", flags.timeout),
      ...(cert !== undefined && key !== undefined
        ? { clientCertificate: { certificate: yield* readText(cert, "--cert"), key: yield* readText(key, "--key") } }
        : {}),
    } as TlsOptionsInput
  })

/** Reads until the peer closes or `timeout` passes; keeps what arrived either way. */
const readAll = (connection: TlsConnection, timeout: Duration.Duration) =>
  Effect.gen(function* () {
    const chunks: Array<Uint8Array> = []
    const closedBy = yield* Effect.gen(function* () {
      for (;;) {
        const next = yield* connection.read
        if (Option.isNone(next)) return "close_notify" as ClosedBy
        chunks.push(next.value)
      }
    }).pipe(
      Effect.catchIf(
        (error) => error.reason._tag === "UnexpectedEof",
        () => Effect.succeed<ClosedBy>("eof"),
      ),
      Effect.timeoutTo({ duration: timeout, onTimeout: (): ClosedBy => "read-timeout", onSuccess: (c) => c }),
    )
    return { received: Buffer.concat(chunks), closedBy }
  })

const once = (target: Target, tls: TlsOptionsInput, flags: Flags) =>
  Effect.scoped(
    Effect.gen(function* () {
      const started = performance.now()
      const connection = yield* NodeTls.connect({ host: target.host, port: target.port, crypto: flags.crypto, ...tls })
      const handshakeMs = performance.now() - started
      if (Option.isNone(flags.send))
        return { session: connection.session, handshakeMs, received: new Uint8Array(0), closedBy: undefined }
      yield* connection.write(new TextEncoder().encode(decodeEscapes(flags.send.value)))
      const { received, closedBy } = yield* readAll(connection, Duration.millis(flags.readTimeout))
      return { session: connection.session, handshakeMs, received: new Uint8Array(received), closedBy }
    }),
  )

const run = (target: Target, flags: Flags): Effect.Effect<Success, Fatal | CleanShutdown> =>
  Effect.gen(function* () {
    if (flags.count < 1) return yield* configError("--count must be at least 1")
    const tls = yield* tlsOptions(target, flags)
    let last: Omit<Success, "handshakes" | "meanHandshakeMs"> | undefined
    let total = 0
    for (let i = 0; i < flags.count; i++) {
      last = yield* once(target, tls, flags)
      total += last.handshakeMs
    }
    return { ...last!, handshakes: flags.count, meanHandshakeMs: total / flags.count }
  }).pipe(Effect.provide(Option.match(flags.keylog, { onNone: () => Layer.empty, onSome: keyLogFile })))

const warnInsecure = Console.error(
  "WARNING: --insecure: certificate verification is disabled; the server is NOT authenticated and the connection can be intercepted.",
)

/** The `connect` command. @since 0.1.0 */
export const connectCommand = Command.make("connect", { target, ...options }, ({ target, ...flags }) =>
  Effect.gen(function* () {
    if (flags.insecure) yield* warnInsecure
    const result = yield* Effect.either(run(target, flags))
    if (Either.isLeft(result)) {
      const failure = failureJson(result.left)
      yield* flags.json ? Console.log(JSON.stringify(failure)) : Console.error(`effect-tls: ${failure.error.message}`)
      process.exitCode = 1
      return
    }
    const success = result.right
    if (Option.isSome(flags.output)) writeFileSync(flags.output.value, success.received)
    if (flags.json) {
      yield* Console.log(
        JSON.stringify(successJson(success, { includeReceived: Option.isNone(flags.output), count: flags.count > 1 })),
      )
    } else {
      yield* Console.log(successText(success))
      if (Option.isNone(flags.output) && success.received.length > 0) {
        yield* Console.log(`---\n${new TextDecoder().decode(success.received)}`)
      }
    }
  }),
).pipe(Command.withDescription("connect to HOST:PORT over TLS, print what was negotiated and verified"))
