// The one error type of the test peers: a tool that is not installed, a server that did not
// start, a wait that timed out, or a command that failed. Carries the captured output so a
// failing interop test shows what the peer said.
import { Data } from "effect"

/** Why a peer helper failed. */
export type PeerErrorReason = "NotInstalled" | "StartFailed" | "PortInUse" | "Timeout" | "Exited" | "CommandFailed"

/**
 * A test peer (server process, PKI command, in-memory server) failed. `output` is what the
 * process printed so far (stdout and stderr interleaved), empty when there is none.
 */
export class PeerError extends Data.TaggedError("PeerError")<{
  readonly reason: PeerErrorReason
  readonly message: string
  readonly output: string
}> {}

/** Builds a `PeerError`, appending the tail of `output` to the message for readable test failures. */
export const peerError = (reason: PeerErrorReason, message: string, output = ""): PeerError => {
  const tail = output.length > 4000 ? `...${output.slice(-4000)}` : output
  return new PeerError({ reason, message: tail === "" ? message : `${message}\n--- output ---\n${tail}`, output })
}

/** Turns anything thrown by a helper into a `PeerError` (keeping a `PeerError` as it is). */
export const toPeerError = (cause: unknown): PeerError =>
  cause instanceof PeerError ? cause : peerError("StartFailed", cause instanceof Error ? cause.message : String(cause))
