/** The cached analysis of the one task of a tree's `src/`, as the CLI runs it, with what the cache reports about itself. */
import { analyzeCachedTask, type CacheStats } from '../../analyzer/cli/cache.js';
import { planTasks } from '../../analyzer/cli/parallel.js';
import { loadProjects } from '../../analyzer/project/project.js';
import type { AnalyzeResult, RuleSetting } from '../../analyzer/check/run-types.js';

export function cachedRun(dir: string, cacheDir: string, rules: Map<string, RuleSetting>): { result: AnalyzeResult; stats: CacheStats; loads: number; tasks: number } {
  const { tasks } = planTasks(['src'], [], dir);
  const task = tasks[0]!;
  let stats: CacheStats | undefined;
  let loads = 0;
  const result = analyzeCachedTask({
    cacheDir,
    identity: 'test',
    keyExtra: '',
    targets: task.files,
    rules: [...rules],
    load: () => {
      loads++;
      return loadProjects({ paths: task.files, project: task.project, cwd: dir });
    },
    select: (p) => p,
    onStats: (s) => (stats = s),
  });
  return { result, stats: stats!, loads, tasks: tasks.length };
}
