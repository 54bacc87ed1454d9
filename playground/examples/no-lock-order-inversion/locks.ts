import { Mutex } from 'async-mutex';

export const inventoryLock = new Mutex();
export const ledgerLock = new Mutex();
