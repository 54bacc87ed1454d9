/**
 * A worker thread of `analyzeRun` (parallel.ts): receives tasks, builds each task's program,
 * runs the checks, posts the result back (findings are plain data). One task at a time, so
 * at most one program per thread is alive.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runTask, type Task, type TaskOptions } from './parallel.js';

const options = workerData as TaskOptions;

parentPort?.on('message', ({ index, task }: { index: number; task: Task }) => {
  try {
    const result = runTask(task, options, (event) => parentPort!.postMessage({ type: 'progress', index, event }));
    parentPort!.postMessage({ type: 'done', index, result });
  } catch (error) {
    const message = error instanceof Error ? (options.debug ? (error.stack ?? error.message) : error.message) : String(error);
    parentPort!.postMessage({ type: 'failed', index, message });
  }
});
