/**
 * Builds what `pnpm bench` runs: the bench's entry points (the main script and the two child
 * scripts) bundled with esbuild into dist/, our workspace packages compiled in, the npm
 * packages the bench depends on left as imports. The bench measures the library as an
 * application ships it, not as tsx runs it: tsx compiles with esbuild's `keepNames`, which
 * wraps every named closure in a `__name` call (an `Object.defineProperty` at each creation)
 * and cost a noble handshake 0.1-0.2 ms CPU (A/B in one process, 2026-11-28).
 */
import { build } from "esbuild"

await build({
  entryPoints: ["src/main.ts", "src/memoryProbe.ts", "src/tlsServerChild.ts"],
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["effect", "@effect/platform", "@effect/platform-node", "subtls"].flatMap((name) => [name, `${name}/*`]),
  logLevel: "warning",
})
