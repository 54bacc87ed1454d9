// reserveStock() takes the inventory lock, then the ledger lock; settleLedger() in settle.ts
// takes them in the opposite order. Run together, each can wait for the other forever.
// Follow the trace into settle.ts.
import { inventoryLock, ledgerLock } from './locks.js';

export async function reserveStock(orderId: string): Promise<void> {
  await inventoryLock.runExclusive(async () => {
    await ledgerLock.runExclusive(async () => { // expect: no-lock-order-inversion
      console.log('reserved', orderId);
    });
  });
}
