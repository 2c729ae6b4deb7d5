/**
 * A source rule: every generator function in the library's sources is made once, as a
 * module-level `function*` declaration, a class's generator method or a generator inside a
 * top-level statement, never as a closure written inside a function (see
 * packages/crypto/src/inline.ts: V8 gives each generator closure a hidden class of its own in
 * old space at its first call, which cost ~3.4 µs per call and kept what the closure captured
 * alive until the next full collection).
 */
import { describe, expect, it } from "@effect/vitest"
import { indentedCodeLines, libraryPackages, violations } from "./librarySources.js"

/** Lines with a generator written inside a function: indented code (a class's generator method `*name()` has no `function*`). */
const generatorClosures = (source: string): Array<number> =>
  indentedCodeLines(source, (line) => line.includes("function*"))

describe("generator functions are made once", () => {
  it("finds a generator closure written inside a function, and not a module-level one", () => {
    const source = [
      "function* steps(a: number) {",
      "  yield a",
      "}",
      "export const make = (a: number) => inlineGen(() => steps(a))",
      "export const once = Effect.gen(function* () {",
      "  return 1",
      "})",
      "const perCall = (a: number) =>",
      "  inlineGen(function* () {",
      "    return a",
      "  })",
      "class Walker {",
      "  *walk() {}",
      "}",
      "/**",
      " * Generators are written as `function*` at module level.",
      " */",
    ].join("\n")
    expect(generatorClosures(source)).toEqual([9])
  })

  for (const pkg of libraryPackages) {
    it(`packages/${pkg}/src has no generator closure inside a function`, () => {
      expect(violations(pkg, generatorClosures)).toEqual([])
    })
  }
})
