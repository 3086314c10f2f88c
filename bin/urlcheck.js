#!/usr/bin/env node
import module from 'node:module';

/**
 * Turns on Node's module compile cache (Node 22.1 and later; Node 20 has none), so that a run
 * after the first loads the bundle's code already compiled. Called before the bundle is imported:
 * only modules loaded after it are cached. The cache is an optimisation, never an error: a
 * folder that cannot be created, or is not this user's alone, means no cache. NODE_COMPILE_CACHE
 * and NODE_DISABLE_COMPILE_CACHE still decide, as Node documents.
 */
function enableCompileCache() {
  if (typeof module.enableCompileCache !== 'function') return;
  try {
    // Loaded here, not imported: a Node without the cache need not load node:os for nothing.
    const require = module.createRequire(import.meta.url);
    const { lstatSync, mkdirSync } = require('node:fs');
    const { tmpdir } = require('node:os');
    const { join } = require('node:path');
    const uid = typeof process.getuid === 'function' ? process.getuid() : null;
    // One folder per user: the temp folder is shared on POSIX systems (Windows gives each user
    // its own). A folder someone else owns or can write to is not used: compiled code read from
    // it would run as this user.
    const dir = join(tmpdir(), uid === null ? 'urlcheck-compile-cache' : `urlcheck-compile-cache-${uid}`);
    // Not recursive: a temp folder that does not exist is not urlcheck's to create.
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (error) {
      if (error?.code !== 'EEXIST') return;
    }
    if (uid !== null) {
      const stat = lstatSync(dir);
      if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o022) !== 0) return;
    }
    module.enableCompileCache(dir);
  } catch {
    // No cache: the run is slower to start, not wrong.
  }
}

enableCompileCache();
const { runProcess } = await import('../dist/bundle/cli.js');
await runProcess();
