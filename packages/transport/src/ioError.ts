/**
 * The `Fatal` of a transport failure (reason `Io`), worded the same way for every wire:
 * what we were doing, then the innermost message of the cause.
 *
 * @since 0.1.0
 */
import { Fatal, FatalReason } from "@effect-tls/core"

/** The innermost message of a transport error (a SocketError wraps the Node error). */
const describe = (cause: unknown): string => {
  let current = cause
  while (current instanceof Error && current.cause !== undefined) current = current.cause
  if (typeof current === "object" && current !== null && "cause" in current && (current as { cause: unknown }).cause) {
    current = (current as { cause: unknown }).cause
  }
  return current instanceof Error ? current.message : String(current)
}

/** `Fatal(Io)` for `cause`, while doing `detail`. @since 0.1.0 */
export const ioError = (detail: string) => (cause: unknown) =>
  new Fatal({ reason: FatalReason.Io({ detail: `${detail}: ${describe(cause)}`, cause }) })
