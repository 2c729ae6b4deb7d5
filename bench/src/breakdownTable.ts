/** The breakdown section as Markdown tables: per handshake in ms, per download record in µs. */
import type { BreakdownResults, Usage } from "./breakdown.js"
import { formatNumber, table } from "./markdown.js"
import type { CryptoCategory } from "./timedCrypto.js"

/** The cells every row shares: CPU, main thread, other threads, then the crypto split and the rest of the main thread. */
const usageCells = (usage: Usage, categories: ReadonlyArray<CryptoCategory>): Array<string> => {
  const crypto = usage.crypto
  const inCrypto = crypto === undefined ? Number.NaN : categories.reduce((sum, c) => sum + crypto[c], 0)
  const main = usage.threads?.mainMs ?? usage.cpuMs
  return [
    formatNumber(usage.cpuMs),
    usage.threads === undefined ? "n/a" : formatNumber(usage.threads.mainMs),
    usage.threads === undefined ? "n/a" : formatNumber(usage.threads.otherMs),
    ...categories.map((c) => (crypto === undefined ? "-" : formatNumber(crypto[c]))),
    crypto === undefined ? "-" : formatNumber(main - inCrypto),
  ]
}

/** Both tables, with headings. */
export const breakdownTables = (breakdown: BreakdownResults): string => {
  const count = breakdown.handshakes[0]?.handshakes ?? 0
  return [
    `#### Where the time goes: x25519 handshakes, CPU ms per handshake (mean of ${count})`,
    table(
      ["client", "CPU", "main thread", "other threads", "curve ops", "hashing", "AEAD", "rest of main thread"],
      breakdown.handshakes.map((row) => [row.client, ...usageCells(row, ["curve", "hash", "aead"])]),
    ),
    `#### Where the time goes: ${breakdown.downloadBytes / 2 ** 20} MiB downloads, CPU µs per 16 KiB record`,
    table(
      ["suite", "client", "CPU", "main thread", "other threads", "AEAD open", "rest of main thread"],
      breakdown.downloads.map((row) => [row.suite, row.client, ...usageCells(row, ["aead"])]),
    ),
  ].join("\n\n")
}
