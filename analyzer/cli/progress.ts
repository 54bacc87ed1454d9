/**
 * A one-line progress indicator on stderr, for runs long enough to wonder about.
 *
 * Shown only when stderr is a TTY and `CI` is not set, and only once the run is older than
 * `delayMs` (2 s). The analyzer is synchronous, so the line is drawn from `update` calls
 * (throttled); a timer also draws it when the event loop is free. `clear` erases it, and
 * must be called before any output is written.
 */
import type { ProgressEvent } from '../check/run-types.js';

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Progress {
  update(event: ProgressEvent): void;
  /** Erase the line if it was drawn. Safe to call repeatedly; updates after it draw again. */
  clear(): void;
  /** Clear and stop for good. */
  stop(): void;
}

export interface ProgressOptions {
  env?: NodeJS.ProcessEnv;
  delayMs?: number;
  /** Minimum time between redraws. */
  intervalMs?: number;
  now?: () => number;
}

const NOOP: Progress = { update() {}, clear() {}, stop() {} };

export function progressEnabled(stream: ProgressStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.CI;
}

export function describeProgress(event: ProgressEvent): string {
  return event.phase === 'loading' ? 'Loading program…' : `Checking files ${event.done}/${event.total}`;
}

export function createProgress(stream: ProgressStream, options: ProgressOptions = {}): Progress {
  if (!progressEnabled(stream, options.env ?? process.env)) return NOOP;
  const now = options.now ?? Date.now;
  const delayMs = options.delayMs ?? 2000;
  const intervalMs = options.intervalMs ?? 100;
  const started = now();
  let latest = 'Loading program…';
  let drawn = false;
  let lastDraw = -Infinity;
  let stopped = false;

  const draw = (): void => {
    if (stopped || now() - started < delayMs) return;
    const width = Math.max(20, (stream.columns ?? 80) - 1);
    stream.write(`\r\x1b[K${latest.slice(0, width)}`);
    drawn = true;
    lastDraw = now();
  };
  const timer = setTimeout(draw, delayMs);
  timer.unref?.();

  const clear = (): void => {
    if (drawn) stream.write('\r\x1b[K');
    drawn = false;
  };

  return {
    update(event) {
      latest = describeProgress(event);
      const finalStep = event.phase === 'checking' && event.done === event.total;
      if (finalStep || now() - lastDraw >= intervalMs) draw();
    },
    clear,
    stop() {
      clear();
      stopped = true;
      clearTimeout(timer);
    },
  };
}
