import { inventoryLock, ledgerLock } from './locks.js';

export async function settleLedger(): Promise<void> {
  await ledgerLock.runExclusive(async () => {
    await inventoryLock.runExclusive(async () => {
      console.log('settled');
    });
  });
}
