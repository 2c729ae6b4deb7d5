/**
 * PEM decoding (RFC 7468) for trust bundles and test fixtures: every
 * `-----BEGIN label-----` ... `-----END label-----` block with matching labels and a
 * strict base64 body. Text between blocks is ignored; a broken block is an error.
 *
 * @since 0.1.0
 */
import { Data, Either } from "effect"
import { decodeBase64 } from "./base64.js"

/** One decoded PEM block. @since 0.1.0 */
export interface PemBlock {
  readonly label: string
  readonly der: Uint8Array
}

/** Text that is not well-formed PEM. @since 0.1.0 */
export class PemError extends Data.TaggedError("PemError")<{ readonly detail: string }> {
  override get message(): string {
    return `invalid PEM: ${this.detail}`
  }
}

const beginLine = /^-----BEGIN ([^-]*)-----$/
const endLine = /^-----END ([^-]*)-----$/
// RFC 7468 section 3: printable characters other than "-", single spaces or hyphens between words.
const labelSyntax = /^(?:[\x21-\x2c\x2e-\x7e]+(?:[ -][\x21-\x2c\x2e-\x7e]+)*)?$/
const whitespace = /[ \t]/g

/**
 * Every PEM block in `text`, in order. Fails on a block without its END line, an END line
 * with another label, a label outside RFC 7468's syntax, headers, or a body that is not
 * canonical base64.
 *
 * @since 0.1.0
 */
export const decodePem = (text: string): Either.Either<ReadonlyArray<PemBlock>, PemError> => {
  const blocks: Array<PemBlock> = []
  const lines = text.split(/\r\n|\r|\n/)
  let label: string | undefined
  let body = ""
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/[ \t]+$/, "")
    if (label === undefined) {
      const begin = beginLine.exec(line)
      if (begin === null) continue
      label = begin[1]!
      if (!labelSyntax.test(label)) return Either.left(new PemError({ detail: `bad label on line ${n + 1}` }))
      body = ""
      continue
    }
    const end = endLine.exec(line)
    if (end !== null) {
      if (end[1] !== label) {
        return Either.left(new PemError({ detail: `END ${end[1]} closes BEGIN ${label} on line ${n + 1}` }))
      }
      const der = decodeBase64(body)
      if (der === undefined || der.length === 0) {
        return Either.left(new PemError({ detail: `${label} block before line ${n + 1} is not base64` }))
      }
      blocks.push({ label, der })
      label = undefined
      continue
    }
    if (line.startsWith("-----")) return Either.left(new PemError({ detail: `unexpected line ${n + 1} in a block` }))
    if (line.includes(":")) return Either.left(new PemError({ detail: `header on line ${n + 1} (RFC 1421 PEM)` }))
    body += line.replace(whitespace, "")
  }
  if (label !== undefined) return Either.left(new PemError({ detail: `BEGIN ${label} without END` }))
  return Either.right(blocks)
}
