/**
 * Load-time marks for `npm run bench:playground`: wall-clock times (ms since the epoch, with
 * sub-millisecond precision) that the page and the worker share, so the page can place the
 * worker's marks on its own timeline (ms since navigation started).
 */
export type Marks = Record<string, number>;

/** Now, on a clock the page and its worker share. */
export const stamp = (): number => performance.timeOrigin + performance.now();
