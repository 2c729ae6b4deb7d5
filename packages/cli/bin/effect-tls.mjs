#!/usr/bin/env node
// The effect-tls command. It runs a single-file bundle of the TypeScript sources, rebuilt
// with esbuild whenever a source file is newer than the bundle (about a second), because
// loading hundreds of modules through a TypeScript loader costs seconds at every start.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const cliRoot = join(dirname(fileURLToPath(import.meta.url)), "..")
const packagesRoot = join(cliRoot, "..")
const bundle = join(cliRoot, "dist", "effect-tls.mjs")

const newestSource = () => {
  let newest = 0
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs)
    }
  }
  for (const pkg of readdirSync(packagesRoot)) {
    const src = join(packagesRoot, pkg, "src")
    if (existsSync(src)) walk(src)
  }
  return newest
}

if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestSource()) {
  const { build } = await import("esbuild")
  mkdirSync(dirname(bundle), { recursive: true })
  const temporary = `${bundle}.${process.pid}.tmp.mjs`
  await build({
    entryPoints: [join(cliRoot, "src", "main.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: temporary,
    logLevel: "error",
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  })
  renameSync(temporary, bundle)
}
await import(pathToFileURL(bundle).href)
