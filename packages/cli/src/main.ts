/**
 * The `effect-tls` command: `connect` (an `openssl s_client`) and `demo` (a self-contained
 * tour on loopback). Usage errors exit 2, connection failures 1.
 *
 * @since 0.1.0
 */
import { Command, ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect, Logger, LogLevel } from "effect"
import { connectCommand } from "./connectCommand.js"
import { demoCommand } from "./demo.js"

const root = Command.make("effect-tls").pipe(
  Command.withDescription("a TLS client on Effect: connect to servers, or run the demo"),
  Command.withSubcommands([connectCommand, demoCommand]),
)

const cli = Command.run(root, { name: "effect-tls", version: "0.1.0" })

cli(process.argv).pipe(
  Effect.catchIf(ValidationError.isValidationError, () =>
    Effect.sync(() => {
      process.exitCode = 2
    }),
  ),
  // Logs go to stderr, so stdout carries only the command's output (one JSON object with --json).
  Logger.withMinimumLogLevel(LogLevel.Warning),
  Effect.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disablePrettyLogger: true }),
)
