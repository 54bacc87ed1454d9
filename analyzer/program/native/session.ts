/**
 * A TypeScript 7 session: the `typescript/unstable/sync` client (installed under the alias
 * `typescript-native`, pinned to 7.0.2 because the API is unstable) starts the native compiler
 * as a child process; a snapshot opens one tsconfig's project, and its checker answers over
 * IPC. The package is loaded on first use, so the analyzer runs without it.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sync from 'typescript-native/unstable/sync';
import type * as Ast from 'typescript-native/unstable/ast';
import { kindMap, type KindMap } from './kinds.js';

export const NATIVE_PACKAGE = 'typescript-native';
export const NATIVE_VERSION = '7.0.2';

export interface NativeModules {
  sync: typeof Sync;
  ast: typeof Ast;
}

export interface NativeSession {
  readonly modules: NativeModules;
  readonly api: Sync.API;
  readonly snapshot: Sync.Snapshot;
  readonly project: Sync.Project;
  /** TypeScript 6 SyntaxKind -> TypeScript 7 SyntaxKind. */
  readonly kinds: KindMap;
  /** The compiler process's CPU seconds so far (Linux /proc; undefined elsewhere). */
  childCpuSeconds(): number | undefined;
  close(): void;
}

let loaded: NativeModules | undefined;

/** The TypeScript 7 API modules, or an error that says how to install them. */
export async function loadNativeModules(from = import.meta.url): Promise<NativeModules> {
  if (loaded) return loaded;
  const require = createRequire(from);
  let version: string;
  try {
    version = (JSON.parse(fs.readFileSync(require.resolve(`${NATIVE_PACKAGE}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    throw new Error(`TypeScript 7 is not installed: npm i -D ${NATIVE_PACKAGE}@npm:typescript@${NATIVE_VERSION}`);
  }
  if (version !== NATIVE_VERSION) throw new Error(`${NATIVE_PACKAGE} is ${version}; this backend speaks the unstable API of ${NATIVE_VERSION} exactly`);
  const load = async <T>(id: string) => (await import(pathToFileURL(require.resolve(id)).href)) as T;
  loaded = { sync: await load<typeof Sync>(`${NATIVE_PACKAGE}/unstable/sync`), ast: await load<typeof Ast>(`${NATIVE_PACKAGE}/unstable/ast`) };
  return loaded;
}

/** Start the native compiler and open the project of `tsconfig`. */
export async function openNativeSession(tsconfig: string): Promise<NativeSession> {
  const modules = await loadNativeModules();
  const config = path.resolve(tsconfig);
  const before = childPids();
  const api = new modules.sync.API({ cwd: path.dirname(config) });
  let snapshot: Sync.Snapshot;
  try {
    snapshot = api.updateSnapshot({ openProject: config });
  } catch (error) {
    api.close();
    throw error;
  }
  const project = snapshot.getProject(config) ?? snapshot.getProjects()[0];
  if (!project) {
    api.close();
    throw new Error(`TypeScript 7 opened no project for ${config}`);
  }
  const pids = childPids().filter((p) => !before.includes(p));
  return {
    modules,
    api,
    snapshot,
    project,
    kinds: kindMap(modules.ast.SyntaxKind as unknown as Record<string, number>),
    childCpuSeconds: () => (pids.length ? pids.reduce((n, p) => n + (cpuSecondsOf(p) ?? 0), 0) : undefined),
    close: () => api.close(),
  };
}

/** Child processes of this process (Linux): the client spawns the compiler without telling its pid. */
function childPids(): number[] {
  try {
    const text = fs.readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8');
    return text.trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const CLOCK_TICKS = 100;

function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
