/**
 * X.509 validity times (RFC 5280 section 4.1.2.5): UTCTime `YYMMDDHHMMSSZ` (years 1950 to
 * 2049) and GeneralizedTime `YYYYMMDDHHMMSSZ`, both in UTC with whole seconds.
 *
 * @since 0.1.0
 */
import { DerError, type DerReader, DerTag } from "@effect-tls/crypto/der"

const fail = (detail: string): never => {
  throw new DerError({ detail })
}

const daysInMonth = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31

/** Reads `count` decimal digits of `text` at `at`. */
const digits = (text: string, at: number, count: number): number => {
  let value = 0
  for (let i = at; i < at + count; i++) {
    const code = text.charCodeAt(i) - 0x30
    if (!(code >= 0 && code <= 9)) fail(`time ${JSON.stringify(text)} has a non-digit`)
    value = value * 10 + code
  }
  return value
}

/**
 * Reads the next UTCTime or GeneralizedTime and returns it in milliseconds since the
 * epoch. Throws `DerError` for any other form (no fractions, offsets or missing seconds).
 *
 * @since 0.1.0
 */
export const readTime = (reader: DerReader): number => {
  const tag = reader.peekTag()
  if (tag !== DerTag.UtcTime && tag !== DerTag.GeneralizedTime) return fail("expected UTCTime or GeneralizedTime")
  const bytes = reader.element(tag).value
  const yearDigits = tag === DerTag.UtcTime ? 2 : 4
  if (bytes.length !== yearDigits + 11) fail(`time of ${bytes.length} characters is not in canonical form`)
  const text = String.fromCharCode(...bytes)
  if (!text.endsWith("Z")) fail(`time ${JSON.stringify(text)} is not in canonical form`)
  let year = digits(text, 0, yearDigits)
  if (tag === DerTag.UtcTime) year += year >= 50 ? 1900 : 2000
  const month = digits(text, yearDigits, 2)
  const day = digits(text, yearDigits + 2, 2)
  const hour = digits(text, yearDigits + 4, 2)
  const minute = digits(text, yearDigits + 6, 2)
  const second = digits(text, yearDigits + 8, 2)
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    fail(`time ${JSON.stringify(text)} is out of range`)
  }
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, 0)
  return date.getTime()
}
