// forEach does not wait for an async callback: importAll() resolves before the items are
// saved, and a failed save is an unhandled rejection.
interface Item { id: string }
declare function save(item: Item): Promise<void>;

export async function importAll(items: Item[]): Promise<void> {
  items.forEach(async (item) => { await save(item); }); // expect: no-misused-async-function
}
