#!/usr/bin/env node
// The installed entry point (dist/cli/main.js). The program itself is one
// CommonJS script, dist/cli/core.cjs, bundled from main.ts; this runs it with
// the V8 code cache the build wrote beside it (core.cache), so a command
// starts from compiled code instead of parsing and compiling megabytes of
// JavaScript on every run: Node 20 has no compile cache of its own for
// modules. The cache is trusted like the code: it is read only from the
// bundle's own directory, never from a temporary or user-writable place.
// V8 checks it against the source, its own version and flags, and rejects a
// stale one (after a Node upgrade, say); the script then compiles as usual,
// only slower, until the next build writes a new cache.
// This file is built as CommonJS, with a package.json beside it saying so:
// Node starts a CommonJS entry without setting up its ES module loader,
// about 3 % of a `poll`.
import { readFileSync, writeFileSync } from 'node:fs';
import { Module, createRequire } from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';

const dir = import.meta.dirname;
const file = join(dir, 'core.cjs');

let cachedData: Buffer | undefined;
try {
  cachedData = readFileSync(join(dir, 'core.cache'));
} catch {
  // No cache (a build that skipped it): compiled from source.
}
// esbuild wraps the bundle in CommonJS's own function wrapper (see package.json).
// The bundle is ASCII (a test holds it to that), so latin1 reads the same
// text and skips UTF-8 decoding: a third of reading its megabytes.
const script = new Script(readFileSync(file, 'latin1'), { filename: file, ...(cachedData ? { cachedData } : {}) });
if (process.env.KERNEL_HERALD_CODE_CACHE === 'report') process.stderr.write(`code cache: ${!cachedData ? 'none' : script.cachedDataRejected ? 'rejected' : 'used'}\n`);
cachedData = undefined;

// The build runs one command with this set and keeps what V8 compiled by its end.
const out = process.env.KERNEL_HERALD_CODE_CACHE_OUT;
if (out) process.on('exit', () => writeFileSync(out, script.createCachedData()));

// require() resolves from the script's own path (createRequire), so node_modules is found as before.
const mod = new Module(file);
mod.filename = file;
(script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void)(
  mod.exports, createRequire(file), mod, file, dir);
