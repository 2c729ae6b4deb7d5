/**
 * The memory "BIO": the client state machine plus its byte buffers, with the moves of
 * SSL_connect(3) over a memory BIO. The caller `feed`s bytes from the peer and `drain`s
 * bytes for it; `connect` succeeds once the handshake is done, or fails with `WantRead`
 * (feed me), `WantWrite` (drain me: the bounded output buffer is full), `CleanShutdown`
 * (close_notify before the handshake completed) or `Fatal`. A retry loop is
 * feed/drain + `Effect.retry({ while: isWant })`, never a spin.
 *
 * @since 0.1.0
 */
import { concatBytes, copyBytes, runInline, type TlsCrypto } from "@effect-tls/crypto"
import { Context, Effect, Exit, Option } from "effect"
import { CleanShutdown, type ConnectError, Fatal, FatalReason, WantRead, WantWrite } from "../errors.js"
import { alertFor, exportKeyingMaterial, start, step } from "../handshake/client.js"
import type { ClientConfig } from "../handshake/config.js"
import type { SessionInfo } from "../handshake/session.js"
import { type ClientState, Input, type Output } from "../handshake/state.js"
import type { CertificateVerifier } from "../handshake/verifier.js"
import { KeyLog, keyLogLine } from "./keyLog.js"
import { makeMutex } from "./mutex.js"
import { SessionStore } from "./sessionStore.js"

/** What the engine's handshake needs. @since 0.1.0 */
export type EngineRequirements = TlsCrypto | CertificateVerifier

/** Options of an engine. @since 0.1.0 */
export interface EngineOptions {
  readonly config: ClientConfig
  /** `WantWrite` once this many bytes wait to be drained (default 256 KiB). */
  readonly maxPendingOutput?: number
}

/**
 * Options of an engine bound to its services: its operations run with `services` instead of
 * asking the caller's context for them (no `Effect.provide` per operation).
 *
 * @since 0.1.0
 */
export interface BoundEngineOptions extends EngineOptions {
  readonly services: Context.Context<EngineRequirements>
}

/**
 * A TLS client over memory buffers; `R` is what its operations need from the caller's
 * context (nothing for an engine bound to its services).
 *
 * @since 0.1.0
 */
export interface TlsEngine<R = EngineRequirements> {
  /**
   * Gives the engine bytes received from the peer, one chunk or consecutive chunks in order
   * (copied, unless `options.transfer`).
   */
  readonly feed: (bytes: Uint8Array | ReadonlyArray<Uint8Array>, options?: FeedOptions) => Effect.Effect<void>
  /** Takes every byte waiting to be sent to the peer. */
  readonly drain: Effect.Effect<Uint8Array>
  /** How many bytes wait to be sent. */
  readonly pendingOutput: Effect.Effect<number>
  /** Runs the handshake as far as the bytes fed so far allow (SSL_connect). */
  readonly connect: Effect.Effect<SessionInfo, ConnectError, R>
  /**
   * `feed` as a plain call, for a caller that moves bytes from callbacks (same options).
   */
  readonly unsafeFeed: (bytes: Uint8Array | ReadonlyArray<Uint8Array>, options?: FeedOptions) => void
  /** `drain` as a plain call. */
  readonly unsafeDrain: () => Uint8Array
  /**
   * `connect` as far as it goes without the fiber runtime, for a caller that moves bytes
   * from callbacks: an `Exit` when it ran to the end (with a synchronous crypto layer, on a
   * bound engine, while no other operation runs), else an Effect that completes the same
   * call. That Effect holds the engine's lock until it ends: run it before anything else.
   */
  readonly unsafeConnect: () => Effect.Effect<SessionInfo, ConnectError, R>
  /** Encrypts application data into the output buffer (SSL_write). */
  readonly write: (data: Uint8Array) => Effect.Effect<void, WantWrite | Fatal, R>
  /**
   * The application data from the peer (SSL_read): everything decrypted so far, as one
   * chunk; `None` once the peer sent close_notify; `WantRead` when more bytes must be fed
   * first.
   */
  readonly read: Effect.Effect<Option.Option<Uint8Array>, WantRead | Fatal, R>
  /**
   * `read` without joining: the application data decrypted so far, one chunk per record, in
   * order. A bulk reader saves a copy of every byte.
   */
  readonly readChunks: Effect.Effect<Option.Option<ReadonlyArray<Uint8Array>>, WantRead | Fatal, R>
  /**
   * Sends close_notify (SSL_shutdown) and tells whether the peer's close_notify has
   * arrived already.
   */
  readonly shutdown: Effect.Effect<boolean, Fatal, R>
  /** Updates our traffic keys (KeyUpdate), asking the peer to update too when `requestPeer`. */
  readonly keyUpdate: (requestPeer: boolean) => Effect.Effect<void, WantWrite | Fatal, R>
  /** Exported keying material (RFC 8446 section 7.5). */
  readonly exportKeyingMaterial: (
    label: string,
    context: Uint8Array,
    length: number,
  ) => Effect.Effect<Uint8Array, Fatal, [R] extends [never] ? never : TlsCrypto>
  /** The session facts once established. */
  readonly session: Effect.Effect<Option.Option<SessionInfo>>
  /**
   * Fails the engine with `error` from outside (a timeout, a transport failure): the alert
   * it calls for (user_canceled for a timeout) waits in the output, and every later
   * operation fails with `error`.
   */
  readonly abort: (error: Fatal) => Effect.Effect<void>
}

/** Options of `TlsEngine.feed`. @since 0.1.0 */
export interface FeedOptions {
  /**
   * The engine uses `bytes` as they are instead of copying them (saving a copy of every byte
   * received): the caller must not change them until the engine next fails an operation
   * with `WantRead`. Before it asks for more bytes the engine processes every byte fed,
   * keeping copies of what it still needs (the start of an incomplete record), and no
   * decrypted data it hands out shares their memory; so a transport may then reuse its
   * buffer. By default the engine copies, so a buffer reused at any time is safe.
   */
  readonly transfer?: boolean
}

const defaultMaxPendingOutput = 256 * 1024

/** `effect` when it is a completed success, as `runInline` returns a step it ran to the end; else undefined. */
const succeededNow = <A, E, R>(effect: Effect.Effect<A, E, R>): Exit.Success<A, E> | undefined =>
  Exit.isExit(effect) && Exit.isSuccess(effect) ? (effect as Exit.Success<A, E>) : undefined

/**
 * `f` of the value of `effect`: called now when `effect` is a completed success (so that a
 * chain of steps that all ran inline stays an `Exit`), else through `Effect.flatMap`.
 */
const thenNow = <A, E, R, B, E2, R2>(
  effect: Effect.Effect<A, E, R>,
  f: (value: A) => Effect.Effect<B, E2, R2>,
): Effect.Effect<B, E | E2, R | R2> => {
  if (!Exit.isExit(effect)) return Effect.flatMap(effect, f)
  const exit = effect as Exit.Exit<A, E>
  return Exit.isSuccess(exit) ? f(exit.value) : (exit as Exit.Exit<never, E>)
}

/** One WantRead for every call: it carries no data, and a fresh error would capture a stack trace per record. */
const wantRead = new WantRead()

/**
 * A new engine for `config`. Nothing is sent until the first `connect`. With `services`, its
 * operations need nothing from the caller's context.
 *
 * @since 0.1.0
 */
export function makeEngine(options: BoundEngineOptions): Effect.Effect<TlsEngine<never>>
export function makeEngine(options: EngineOptions): Effect.Effect<TlsEngine>
export function makeEngine(options: EngineOptions | BoundEngineOptions): Effect.Effect<TlsEngine<never> | TlsEngine> {
  const bound = "services" in options ? options.services : undefined
  return Effect.map(
    build(options, bound),
    // Bound: every operation takes its services from `bound` (see `build`), so none reads the caller's context.
    (engine) => (bound === undefined ? engine : (engine as unknown as TlsEngine<never>)),
  )
}

/** The engine; its operations read the caller's context for the services unless `bound` is given. */
const build = (
  options: EngineOptions,
  bound: Context.Context<EngineRequirements> | undefined,
): Effect.Effect<TlsEngine> =>
  // Plain Effects below, no generator: a generator written in here would be a new closure per
  // engine (or per call), each with a hidden class of its own (see inline.ts in the crypto package).
  Effect.sync(() => {
    const maxPending = options.maxPendingOutput ?? defaultMaxPendingOutput
    /** The services operations run with: the bound ones, else the caller's. */
    const currentServices: Effect.Effect<Context.Context<EngineRequirements>, never, EngineRequirements> = bound ===
    undefined
      ? Effect.context<EngineRequirements>()
      : Effect.succeed(bound)
    /** What `runInline` left for the runtime gets the bound services (only the rest of a step that was not all inline). */
    const onRuntime = <A, E, R extends EngineRequirements>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      bound === undefined || Exit.isExit(effect) ? effect : Effect.provide(effect, bound)
    /** `use` with the services: the bound ones, else the caller's. */
    const withServices = <A, E>(
      use: (context: Context.Context<EngineRequirements>) => Effect.Effect<A, E, EngineRequirements>,
    ) => (bound === undefined ? Effect.flatMap(currentServices, use) : Effect.suspend(() => use(bound)))
    const lock = makeMutex()
    let state: ClientState | undefined
    let failure: Fatal | CleanShutdown | undefined
    let session: SessionInfo | undefined
    let peerClosed = false
    let input: Array<Uint8Array> = []
    let output: Array<Uint8Array> = []
    let pending = 0
    let plaintext: Array<Uint8Array> = []

    /**
     * Hands outputs on: plain pushes now, and returns what the KeyLog and SessionStore
     * services (when present) must do, or undefined when there is nothing.
     */
    const emitNow = (
      outputs: ReadonlyArray<Output>,
      context: Context.Context<EngineRequirements>,
    ): Effect.Effect<void> | undefined => {
      let services: Array<Effect.Effect<void>> | undefined
      for (const out of outputs) {
        switch (out._tag) {
          case "Send":
            output.push(out.bytes)
            pending += out.bytes.length
            break
          case "Established":
            session = out.session
            break
          case "ApplicationData":
            plaintext.push(out.data)
            break
          case "PeerClosed":
            peerClosed = true
            break
          case "KeyLog": {
            const keyLog = Context.getOption(context, KeyLog)
            if (Option.isSome(keyLog)) {
              ;(services ??= []).push(keyLog.value.log(keyLogLine(out.label, out.clientRandom, out.secret)))
            }
            break
          }
          case "SessionTicket": {
            const store = Context.getOption(context, SessionStore)
            if (Option.isSome(store)) {
              ;(services ??= []).push(
                store.value.store({
                  serverName: options.config.serverName,
                  ticket: out.ticket,
                  psk: out.psk,
                  suite: out.suite,
                }),
              )
            }
            break
          }
        }
      }
      return services === undefined ? undefined : Effect.all(services, { discard: true })
    }

    /** `emitNow` when run. */
    const emitAll = (outputs: ReadonlyArray<Output>, context: Context.Context<EngineRequirements>) =>
      Effect.suspend(() => emitNow(outputs, context) ?? Effect.void)

    /**
     * The end of a step that completed inline: its outputs are handed on now, and the
     * result is `value` once the services (if any) have done their part: a few Effect
     * operations instead of the general path's twenty or so.
     */
    const settled = <A>(value: A, outputs: ReadonlyArray<Output>, context: Context.Context<EngineRequirements>) => {
      const services = emitNow(outputs, context)
      return services === undefined ? Effect.succeed(value) : Effect.as(services, value)
    }

    /** Fails the engine for good: the alert `error` sends goes out after whatever is pending. */
    const failWith = (current: ClientState | undefined, error: Fatal) =>
      Effect.flatMap(current === undefined ? Effect.succeed(undefined) : alertFor(current, error), (alert) =>
        Effect.sync(() => {
          failure = error
          if (alert !== undefined) {
            output.push(alert)
            pending += alert.length
          }
        }),
      )

    /** The end of a step: the next state, what it produced (also before a failure), then the failure's alert; a failure sticks. */
    const settle = (
      current: ClientState,
      stepped: Effect.Effect<readonly [ClientState, ReadonlyArray<Output>], Fatal, EngineRequirements>,
      produced: ReadonlyArray<Output>,
      context: Context.Context<EngineRequirements>,
    ) => {
      const done = succeededNow(stepped)
      if (done !== undefined) {
        state = done.value[0]
        return settled(done.value, produced, context)
      }
      return stepped.pipe(
        Effect.tap(([next]) => {
          state = next
        }),
        Effect.ensuring(emitAll(produced, context)),
        Effect.tapError((error) => failWith(current, error)),
      )
    }

    /**
     * Runs one step inline as far as it goes (see `runInline`: with a synchronous crypto
     * layer, the whole step is plain calls); what it produced before a failure is kept, then
     * the failure's alert; a failure sticks. An `Exit` when it ran to the end.
     */
    const runWith = (current: ClientState, event: Input, context: Context.Context<EngineRequirements>) => {
      const produced: Array<Output> = []
      return settle(current, onRuntime(runInline(step(current, event, produced), context)), produced, context)
    }

    /** `runWith` with the services. */
    const run = (current: ClientState, event: Input) => withServices((context) => runWith(current, event, context))

    /** The state, after the first step (the ClientHello) if it has not run yet. An `Exit` when it ran inline. */
    const startedWith = (
      context: Context.Context<EngineRequirements>,
    ): Effect.Effect<ClientState, Fatal, EngineRequirements> => {
      if (state !== undefined) return Exit.succeed(state)
      const started = onRuntime(runInline(start(options.config), context))
      const done = succeededNow(started)
      if (done !== undefined) {
        const [first, outputs] = done.value
        state = first
        return settled(first, outputs, context)
      }
      return started.pipe(
        Effect.tap(([first, outputs]) => {
          state = first
          return emitAll(outputs, context)
        }),
        Effect.map(([first]) => first),
        Effect.tapError((error) => Effect.sync(() => (failure = error))),
      )
    }

    /** Feeds what was fed since the last step to the state machine. An `Exit` when it ran inline. */
    const processInputWith = (
      current: ClientState,
      context: Context.Context<EngineRequirements>,
    ): Effect.Effect<unknown, Fatal, EngineRequirements> => {
      if (input.length === 0) return Exit.void
      // Chunks go to the deframer one after the other: joining them would copy every byte.
      const bytes = input.length === 1 ? input[0]! : input
      input = []
      return runWith(current, Input.Received({ bytes }), context)
    }

    /** `processInputWith` with the services. */
    const processInput = (current: ClientState) => withServices((context) => processInputWith(current, context))

    const notEstablished = () =>
      new Fatal({ reason: FatalReason.Config({ detail: "the handshake has not completed" }) })

    /** The end of `connect`, once the input fed so far is processed. */
    const connectResult = (): Exit.Exit<SessionInfo, ConnectError> => {
      if (session !== undefined) return Exit.succeed(session)
      if (peerClosed) {
        failure = new CleanShutdown()
        return Exit.fail(failure)
      }
      if (pending >= maxPending) return Exit.fail(new WantWrite({ pending }))
      return Exit.fail(wantRead)
    }

    /** `connect` once the lock is held: an `Exit` when every step ran inline. */
    const connectWith = (
      context: Context.Context<EngineRequirements>,
    ): Effect.Effect<SessionInfo, ConnectError, EngineRequirements> => {
      if (failure !== undefined) return Exit.fail(failure)
      if (session !== undefined) return Exit.succeed(session)
      if (pending >= maxPending) return Exit.fail(new WantWrite({ pending }))
      return thenNow(startedWith(context), (current) => thenNow(processInputWith(current, context), connectResult))
    }

    const connect: TlsEngine["connect"] = lock.withLock(withServices(connectWith))

    const unsafeConnect: TlsEngine["unsafeConnect"] = () => {
      if (bound === undefined || !lock.tryAcquire()) return connect
      const result = connectWith(bound)
      if (Exit.isExit(result)) {
        lock.release()
        return result
      }
      return Effect.ensuring(result, Effect.sync(lock.release))
    }

    const established = Effect.suspend(() =>
      failure !== undefined
        ? Effect.fail(failure instanceof Fatal ? failure : notEstablished())
        : state === undefined || session === undefined
          ? Effect.fail(notEstablished())
          : Effect.succeed(state),
    )

    /** Runs `input` on the established connection under the lock, unless the output is full. */
    const runEstablished = (input: Input) =>
      lock.withLock(
        Effect.flatMap(
          established,
          (current): Effect.Effect<void, WantWrite | Fatal, EngineRequirements> =>
            pending >= maxPending ? Effect.fail(new WantWrite({ pending })) : Effect.asVoid(run(current, input)),
        ),
      )

    const writeLocked = (data: Uint8Array) => runEstablished(Input.Write({ data }))

    // The common write (established, room in the output, no other operation running) takes
    // the lock without waiting and runs the step inline: a few Effect operations instead of
    // some forty. Anything else, or a step that needs the runtime, goes the locked way.
    const write: TlsEngine["write"] = (data) =>
      // Uninterruptible until the lock's release is in place; the rest of a step that needs
      // the runtime stays interruptible.
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(currentServices, (context) => {
          const current = state
          if (
            current === undefined ||
            session === undefined ||
            failure !== undefined ||
            pending >= maxPending ||
            !lock.tryAcquire()
          ) {
            return restore(writeLocked(data))
          }
          const produced: Array<Output> = []
          const stepped = runInline(step(current, Input.Write({ data }), produced), context)
          const done = succeededNow(stepped)
          if (done !== undefined) {
            state = done.value[0]
            const services = emitNow(produced, context)
            lock.release()
            return services ?? Effect.void
          }
          return Effect.asVoid(
            Effect.ensuring(restore(settle(current, onRuntime(stepped), produced, context)), Effect.sync(lock.release)),
          )
        }),
      )

    /** The end of a locked read, once the input fed so far is processed if nothing was decrypted yet. */
    const readResult = (): Effect.Effect<Option.Option<ReadonlyArray<Uint8Array>>, WantRead> => {
      if (plaintext.length > 0) {
        // Everything decrypted so far: one read per batch of records, not per record.
        const chunks = plaintext
        plaintext = []
        return Effect.succeed(Option.some(chunks))
      }
      if (peerClosed) return Effect.succeed(Option.none())
      return Effect.fail(wantRead)
    }

    const readLocked = lock.withLock(
      Effect.flatMap(established, (current) =>
        Effect.flatMap(plaintext.length === 0 ? processInput(current) : Effect.void, readResult),
      ),
    )

    // Nothing buffered: ask for bytes without taking the lock (the bulk loop asks once per batch).
    const readChunks: TlsEngine["readChunks"] = Effect.suspend(() =>
      plaintext.length === 0 &&
      input.length === 0 &&
      session !== undefined &&
      failure === undefined &&
      !peerClosed &&
      !lock.locked
        ? Effect.fail(wantRead)
        : readLocked,
    )

    const read: TlsEngine["read"] = Effect.map(
      readChunks,
      Option.map((chunks) => (chunks.length === 1 ? chunks[0]! : concatBytes(...chunks))),
    )

    const shutdown: TlsEngine["shutdown"] = lock.withLock(
      Effect.suspend((): Effect.Effect<boolean, Fatal, EngineRequirements> => {
        if (state === undefined) return Effect.succeed(peerClosed)
        if (failure instanceof Fatal) return Effect.fail(failure)
        // `peerClosed` as it is once the step has run.
        return Effect.map(run(state, Input.Close()), () => peerClosed)
      }),
    )

    const keyUpdate: TlsEngine["keyUpdate"] = (requestPeer) => runEstablished(Input.UpdateKeys({ requestPeer }))

    const unsafeFeed: TlsEngine["unsafeFeed"] = (bytes, feedOptions) => {
      for (const chunk of bytes instanceof Uint8Array ? [bytes] : bytes) {
        if (chunk.length > 0) input.push(feedOptions?.transfer === true ? chunk : copyBytes(chunk))
      }
    }

    const unsafeDrain = (): Uint8Array => {
      const out = output.length === 1 ? output[0]! : concatBytes(...output)
      output = []
      pending = 0
      return out
    }

    return {
      feed: (bytes, feedOptions) => Effect.sync(() => unsafeFeed(bytes, feedOptions)),
      drain: Effect.sync(unsafeDrain),
      pendingOutput: Effect.sync(() => pending),
      connect,
      unsafeFeed,
      unsafeDrain,
      unsafeConnect,
      write,
      read,
      readChunks,
      shutdown,
      keyUpdate,
      exportKeyingMaterial: (label, context, length) =>
        Effect.flatMap(established, (current) => onRuntime(exportKeyingMaterial(current, label, context, length))),
      session: Effect.sync(() => Option.fromNullable(session)),
      abort: (error) =>
        lock.withLock(Effect.suspend(() => (failure === undefined ? failWith(state, error) : Effect.void))),
    }
  })
