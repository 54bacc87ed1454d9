/**
 * A MODEL of the Web Locks API's lock manager (`navigator.locks`), written from the spec
 * (https://w3c.github.io/web-locks/): exclusive and shared modes, one FIFO queue per name,
 * `ifAvailable`. Node 20 has no `navigator.locks` (Node 24.5+ does), so the Web Locks scenarios
 * run against this model, and their test titles say so: they prove the fixture deadlocks under
 * the spec's rules as modelled here, not under a browser's implementation.
 */
interface Waiter {
  mode: string;
  grant: () => void;
}
interface LockState {
  exclusive: boolean;
  shared: number;
  queue: Waiter[];
}

export class WebLocksModel {
  private readonly states = new Map<string, LockState>();

  request(name: string, ...rest: unknown[]): Promise<unknown> {
    const callback = rest[rest.length - 1] as (lock: unknown) => unknown;
    const options = (rest.length > 1 ? rest[0] : {}) as { mode?: string; ifAvailable?: boolean };
    const mode = options.mode ?? 'exclusive';
    const state = this.states.get(name) ?? { exclusive: false, shared: 0, queue: [] };
    this.states.set(name, state);
    const free = () => !state.exclusive && (mode === 'shared' ? true : state.shared === 0);
    if (options.ifAvailable && !(free() && state.queue.length === 0)) return Promise.resolve().then(() => callback(null));
    return new Promise((resolve, reject) => {
      const grant = () => {
        if (mode === 'shared') state.shared++;
        else state.exclusive = true;
        Promise.resolve()
          .then(() => callback({ name, mode }))
          .then(resolve, reject)
          .finally(() => {
            if (mode === 'shared') state.shared--;
            else state.exclusive = false;
            this.drain(state);
          });
      };
      if (free() && state.queue.length === 0) grant();
      else state.queue.push({ mode, grant });
    });
  }

  private drain(state: LockState): void {
    while (state.queue.length > 0) {
      const next = state.queue[0]!;
      const ok = !state.exclusive && (next.mode === 'shared' || state.shared === 0);
      if (!ok) return;
      state.queue.shift();
      next.grant();
    }
  }
}

/** Installs the model as `navigator.locks` where the runtime has none; says whether it did. */
export function installWebLocksModel(): boolean {
  const nav = (globalThis as { navigator?: { locks?: unknown } }).navigator;
  if (nav?.locks) return false;
  if (!nav) Object.defineProperty(globalThis, 'navigator', { value: { locks: new WebLocksModel() }, configurable: true });
  else Object.defineProperty(nav, 'locks', { value: new WebLocksModel(), configurable: true });
  return true;
}
