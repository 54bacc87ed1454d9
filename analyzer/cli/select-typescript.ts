/**
 * The CLI's TypeScript choice, made from the command line before any module that loads
 * TypeScript is imported (bin/ imports this, then the CLI): the project's own `typescript`,
 * resolved from the project's folder (the first `--project`, else the first path, else the
 * working folder), when it has the classic API; otherwise the bundled TypeScript 6 API.
 * Loads no TypeScript itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseCliArgs } from './args.js';
import choice from '../ts/typescript-choice.cjs';

/** The folder whose `typescript` the project's code would load. */
export function projectFolder(argv: string[], cwd: string): string {
  let given: string | undefined;
  try {
    const args = parseCliArgs(argv);
    given = args.projects[0] ?? args.paths[0];
  } catch {
    // A usage error: the CLI reports it; any choice will do.
  }
  if (!given) return cwd;
  // A glob (`packages/*/tsconfig.json`): its fixed part.
  const fixed = given.split(/[*?[{]/)[0]!;
  let folder = path.resolve(cwd, fixed || '.');
  while (!fs.existsSync(folder) && path.dirname(folder) !== folder) folder = path.dirname(folder);
  return fs.statSync(folder).isDirectory() ? folder : path.dirname(folder);
}

export function selectTypeScript(argv: string[], cwd: string): void {
  choice.chooseForProject(projectFolder(argv, cwd));
}
