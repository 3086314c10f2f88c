// Preloaded into a spawned CLI (`node --require probe.cjs bin/urlcheck.js …`) to observe what the
// process cannot report about itself. Driven by environment variables, so it does nothing unless asked:
// - URLCHECK_PROBE_MAXRSS_FILE: at exit, write process.resourceUsage().maxRSS (peak RSS, KiB) there;
// - URLCHECK_PROBE_STDERR_TTY=1: make stderr claim to be a terminal, so progress lines are drawn.
'use strict';
const { writeFileSync } = require('node:fs');

const maxRssFile = process.env.URLCHECK_PROBE_MAXRSS_FILE;
if (maxRssFile) {
  process.on('exit', () => writeFileSync(maxRssFile, `${process.resourceUsage().maxRSS}\n`));
}
if (process.env.URLCHECK_PROBE_STDERR_TTY === '1') {
  process.stderr.isTTY = true;
  process.stderr.columns = 100;
}
