/**
 * Which files go to which program, and which are left out. A file goes to the first tsconfig
 * that includes it: one of the `--project` configs or the configs they reference, else the
 * nearest tsconfig.json above it (or one it references).
 *
 * A file that no tsconfig includes is a choice the project made: its `exclude` leaves out
 * tests and migrations, its `include` leaves out scripts and tools. So a file found in a given
 * folder is skipped when that tsconfig includes other files of the same folder (the folder is
 * part of the project, and the project left this file out), with the reason counted for the
 * summary. It is still analyzed when it was named on the command line itself, when no
 * tsconfig exists above it, or when the tsconfig above covers nothing in the given folder (a
 * folder of examples or fixtures inside a bigger repository, a shared library an app imports
 * through `paths`: asking for the folder is asking for those files): in the program of a
 * tsconfig that holds it anyway (its sources import it), else in a program built from the
 * embedded default config (`loadProjects`).
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from '../ts/typescript.cjs';
import type { SkippedFiles } from '../check/run-types.js';
import { isInside, isSourceFileName, type Target } from './files.js';
import type { ParsedConfig } from './project.js';

export type ConfigLoad = (configPath: string) => ParsedConfig | undefined;

export interface Selection {
  /** Config path -> its files to check; '' holds the files for the embedded default config. */
  groups: Map<string, string[]>;
  /** Files under a given folder that the project leaves out, by reason. */
  skipped: SkippedFiles[];
}

/** The nearest tsconfig.json at or above `dir`. */
export function findTsconfig(dir: string): string | undefined {
  let current = dir;
  for (;;) {
    const candidate = path.join(current, 'tsconfig.json');
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** A config and the configs it references, transitively, each once (breadth first). */
function withReferences(config: ParsedConfig, load: ConfigLoad): ParsedConfig[] {
  const out: ParsedConfig[] = [];
  const queue = [config];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const c = queue.shift()!;
    if (seen.has(c.configPath)) continue;
    seen.add(c.configPath);
    out.push(c);
    for (const ref of c.references) {
      const loaded = load(ref);
      if (loaded) queue.push(loaded);
    }
  }
  return out;
}

/** Among a config and the configs it references, the one that includes `file`. */
export function ownerOf(file: string, config: ParsedConfig, load: ConfigLoad): ParsedConfig | undefined {
  return withReferences(config, load).find((c) => c.fileSet.has(file));
}

/** Is `inner` the folder `outer` or inside it? */
/**
 * Assign each target to its program (see the header). Shared by `loadProjects` and the
 * worker-pool planner, so both check the same files.
 */
export function selectFiles(targets: readonly Target[], given: readonly string[], load: ConfigLoad): Selection {
  const groups = new Map<string, string[]>();
  const add = (key: string, file: string) => groups.set(key, [...(groups.get(key) ?? []), file]);
  const covers = coverage(load);
  const reasons = new SkipReasons(load);
  for (const target of targets) {
    const asked = given.length > 0 ? given : [findTsconfig(path.dirname(target.file))].filter((p): p is string => p !== undefined);
    const configs = asked.map(load).filter((c): c is ParsedConfig => c !== undefined);
    let owner: ParsedConfig | undefined;
    for (const config of configs) if ((owner = ownerOf(target.file, config, load))) break;
    if (owner) add(owner.configPath, target.file);
    else if (target.explicit || !configs.some((c) => covers(c, target.from))) add('', target.file);
    else reasons.skip(target.file, configs);
  }
  return { groups, skipped: reasons.list() };
}

/** `covers(config, folder)`: does the config (or a config it references) include a source file in the folder? */
function coverage(load: ConfigLoad): (config: ParsedConfig, folder: string) => boolean {
  const cache = new Map<string, boolean>();
  return (config, folder) => {
    const key = `${config.configPath}\0${folder}`;
    let answer = cache.get(key);
    if (answer === undefined) {
      answer = withReferences(config, load).some((c) => c.fileNames.some((f) => isSourceFileName(f) && isInside(f, folder)));
      cache.set(key, answer);
    }
    return answer;
  };
}

/**
 * Why a left-out file is left out: excluded by a config whose `include` (or `files`) would
 * take it but whose `exclude` drops it, or not included by any tsconfig at all.
 */
class SkipReasons {
  private readonly unexcluded = new Map<string, Set<string>>();
  private readonly byKey = new Map<string, SkippedFiles>();
  constructor(private readonly load: ConfigLoad) {}

  skip(file: string, configs: ParsedConfig[]): void {
    const all = configs.flatMap((c) => withReferences(c, this.load));
    const excluder = all.find((c) => this.includedWithoutExclude(c).has(file));
    const entry: SkippedFiles = excluder ? { reason: 'excluded', config: excluder.configPath, files: [] } : { reason: 'not-included', files: [] };
    const key = `${entry.reason}\0${entry.config ?? ''}`;
    const existing = this.byKey.get(key) ?? entry;
    this.byKey.set(key, existing);
    existing.files.push(file);
  }

  list(): SkippedFiles[] {
    return [...this.byKey.values()].sort((a, b) => (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : (a.config ?? '') < (b.config ?? '') ? -1 : 1));
  }

  /** The files the config would include if its `exclude` were empty (computed once per config). */
  private includedWithoutExclude(config: ParsedConfig): Set<string> {
    let files = this.unexcluded.get(config.configPath);
    if (!files) {
      files = new Set();
      try {
        const raw = ts.readConfigFile(config.configPath, (p) => ts.sys.readFile(p)).config as Record<string, unknown> | undefined;
        if (raw && typeof raw === 'object') {
          const parsed = ts.parseJsonConfigFileContent({ ...raw, exclude: [] }, ts.sys, path.dirname(config.configPath), { noEmit: true }, config.configPath);
          for (const f of parsed.fileNames) files.add(path.resolve(f));
        }
      } catch {
        // An unreadable config was reported when it was loaded; its files count as not included.
      }
      this.unexcluded.set(config.configPath, files);
    }
    return files;
  }
}
