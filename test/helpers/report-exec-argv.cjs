// Preloaded through NODE_OPTIONS by test/launcher.test.ts: each Node process it reaches writes
// the options it was started with, on exit, to stderr.
process.on('exit', () => process.stderr.write(`exec-argv: ${JSON.stringify(process.execArgv)}\n`));
