/**
 * The worker's first module (worker.ts imports it before TypeScript): it notes when the worker's
 * code started, and takes the core declarations the page fetched and sends (see index.html:
 * this thread is busy evaluating the TypeScript bundle meanwhile); other groups it fetches.
 */
import type { ToWorker } from './protocol.js';
import { stamp, type Marks } from './timeline.js';

export const bootMarks: Marks = { 'worker start': stamp() };

/** `libs/<name>.json` (path -> text), fetched and parsed. */
export function fetchGroup(name: string): Promise<Record<string, string>> {
  return fetch(new URL(`./libs/${name}.json`, import.meta.url)).then((r) => {
    if (!r.ok) throw new Error(`libs/${name}.json: HTTP ${r.status}`);
    return r.json() as Promise<Record<string, string>>;
  });
}

/** The core group, from the page's `core` message. */
export const coreFetch = new Promise<Record<string, string>>((resolve, reject) => {
  const listener = (event: MessageEvent<ToWorker>) => {
    const msg = event.data;
    if (msg.type !== 'core') return;
    self.removeEventListener('message', listener);
    if (msg.buffer) {
      resolve(JSON.parse(new TextDecoder().decode(msg.buffer)) as Record<string, string>);
      bootMarks['declarations fetched'] = stamp();
    } else reject(new Error(msg.error ?? 'no declarations'));
  };
  self.addEventListener('message', listener);
});
