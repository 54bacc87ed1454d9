/** Run the CLI's `main()` in-process with captured output streams, in temporary projects. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

/**
 * Temporary projects (a `.git` folder marks the root, so no config above is found), each
 * holding `files`; `remove()` deletes them all (call it from `afterAll`).
 */
export function tempProjects(prefix: string): { make(files: Record<string, string>): string; remove(): void } {
  const dirs: string[] = [];
  return {
    make(files) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
      dirs.push(dir);
      fs.mkdirSync(path.join(dir, '.git'));
      for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
      }
      return dir;
    },
    remove() {
      for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
