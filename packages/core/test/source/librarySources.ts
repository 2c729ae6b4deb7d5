/**
 * The library's source files (packages core, crypto and transport), for the source rules in
 * this folder: each rule is a function from a file's text to the offending line numbers.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const packagesDir = fileURLToPath(new URL("../../../", import.meta.url))

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith(".ts") ? [path] : []
  })

/** The packages the rules cover: the library; the CLI runs its code once per command. */
export const libraryPackages = ["core", "crypto", "transport"] as const

/** Where `rule` finds something in `pkg`'s sources, as `package/src/file.ts:line`. */
export const violations = (pkg: string, rule: (source: string) => Array<number>): Array<string> =>
  sourceFiles(join(packagesDir, pkg, "src")).flatMap((file) =>
    rule(readFileSync(file, "utf8")).map((line) => `${file.slice(packagesDir.length)}:${line}`),
  )

/** True for a line that is (the start or the inside of) a comment. */
const isComment = (line: string): boolean => /^\s*(\*|\/\/|\/\*)/.test(line)

/**
 * The numbers of `source`'s lines that `matches`, among its indented code lines (inside a
 * function or a class; top-level lines and comments are left out).
 */
export const indentedCodeLines = (source: string, matches: (line: string) => boolean): Array<number> =>
  source
    .split("\n")
    .flatMap((line, index) => (/^\s/.test(line) && !isComment(line) && matches(line) ? [index + 1] : []))
