#!/usr/bin/env node
// The `hub` command. Runs the compiled build (npm install and npm start build it).
const path = require('node:path');
const fs = require('node:fs');
const { spawn } = require('node:child_process');

const entry = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('hub: the build is missing (dist/); run `npm run build` (npm install does it) and try again\n');
  process.exit(1);
}

// Loads stream any file size through a small live set (~80 MB), but V8 lets garbage pile up to its default
// heap limit before collecting it. Commands that stream bulk data run with a heap cap so that their memory
// stays bounded; HUB_MAX_HEAP_MB overrides it.
const heapCapMb = { etl: 160, generate: 160 }[process.argv[2]];
const cap = process.env.HUB_MAX_HEAP_MB || heapCapMb;
if (cap && !process.env.HUB_HEAP_CAPPED && !process.execArgv.some((arg) => arg.startsWith('--max-old-space-size'))) {
  const child = spawn(process.execPath, [`--max-old-space-size=${cap}`, ...process.execArgv, __filename, ...process.argv.slice(2)], {
    stdio: 'inherit', env: { ...process.env, HUB_HEAP_CAPPED: '1' },
  });
  // Ctrl-C reaches the whole process group, the child included: let it finish its own way
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
} else {
  require(entry).main(process.argv);
}
