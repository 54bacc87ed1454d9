// A synchronous file read, two calls down from an async function: while it runs, the event
// loop serves no other request. The trace shows the chain of calls.
import { readFileSync } from 'node:fs';

function loadTemplate(name: string): string {
  return readFileSync(`views/${name}.html`, 'utf8');
}

export async function monthlyReport(): Promise<string> {
  return loadTemplate('monthly'); // expect: no-blocking-in-async
}
