/** Run the CLI's `main()` in-process with captured output streams. */
import type { CliIo } from '../../analyzer/cli/main.js';

export function capture(cwd: string): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    cwd,
    env: {},
    stdout: { write: (s: string) => ((out += s), true), isTTY: false },
    stderr: { write: (s: string) => ((err += s), true), isTTY: false },
    out: () => out,
    err: () => err,
  };
}
