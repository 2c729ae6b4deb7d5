/**
 * Parsing `HOST:PORT` (IPv6 in brackets: `[::1]:443`) and `--send` escapes.
 *
 * @since 0.1.0
 */
import { Either } from "effect"

/** A host and port. @since 0.1.0 */
export interface Target {
  readonly host: string
  readonly port: number
}

/** Parses `HOST:PORT`; the error is a usage message. @since 0.1.0 */
export const parseTarget = (text: string): Either.Either<Target, string> => {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text)
  const port = match ? Number(match[3]) : Number.NaN
  if (!match || port < 1 || port > 65535)
    return Either.left(`expected HOST:PORT (IPv6 as [ADDR]:PORT), got ${JSON.stringify(text)}`)
  return Either.right({ host: (match[1] ?? match[2])!, port })
}

/** Decodes the `\r`, `\n`, `\t` and `\\` escapes of `--send`. @since 0.1.0 */
export const decodeEscapes = (text: string): string =>
  text.replace(/\\([rnt\\])/g, (_, c: string) => (c === "r" ? "\r" : c === "n" ? "\n" : c === "t" ? "\t" : "\\"))

/** Splits a comma-separated flag value. @since 0.1.0 */
export const commaList = (text: string): ReadonlyArray<string> =>
  text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
