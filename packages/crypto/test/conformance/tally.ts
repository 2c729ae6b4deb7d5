/**
 * Counts of what the conformance suite ran, per provider and file, and the one-line summary
 * per provider that the suite prints at the end (the numbers for the issue notes).
 */
import type { FileReport } from "./plan.js"

/** Collects file reports and summarises them per provider. */
export class Tally {
  private readonly reports = new Map<string, Array<FileReport>>()

  /** Adds the report of one file run on `provider`. */
  record(provider: string, report: FileReport): void {
    const list = this.reports.get(provider) ?? []
    list.push(report)
    this.reports.set(provider, list)
  }

  /** One line: totals, then `file cases(+skipped)` for each file run on `provider`. */
  summary(provider: string): string {
    const list = this.reports.get(provider) ?? []
    const sum = (pick: (report: FileReport) => number) => list.reduce((total, report) => total + pick(report), 0)
    const valid = sum((report) => report.run.valid)
    const invalid = sum((report) => report.run.invalid)
    const acceptable = sum((report) => report.run.acceptable)
    const files = list
      .map((report) => {
        const cases = report.run.valid + report.run.invalid + report.run.acceptable
        return `${report.file} ${cases}${report.skipped > 0 ? ` (+${report.skipped} skipped)` : ""}`
      })
      .join(", ")
    return (
      `wycheproof[${provider}]: ${valid + invalid + acceptable} cases in ${list.length} files ` +
      `(valid ${valid}, invalid ${invalid}, acceptable ${acceptable}), ${sum((report) => report.skipped)} skipped, ` +
      `${sum((report) => report.checks)} checks, ${sum((report) => report.findings.length)} findings | ${files}`
    )
  }
}
