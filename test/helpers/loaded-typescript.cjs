// Preloaded (`node --require`) by test/one-typescript.test.ts: when the process exits, writes
// to stderr, as one `loaded-typescript: [...]` JSON line, every TypeScript compiler module
// (`lib/typescript.js`) that was loaded, so a test can see that only one ever was.
'use strict';
process.on('exit', () => {
  const files = Object.keys(require.cache).filter((f) => /[\\/]lib[\\/]typescript\.js$/.test(f));
  process.stderr.write(`\nloaded-typescript: ${JSON.stringify(files)}\n`);
});
