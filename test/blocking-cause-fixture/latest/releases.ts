// A folder whose name only contains "test" is no test folder: this is production code.
import { execSync } from 'node:child_process';

export async function latestRelease(): Promise<string> {
  await fetch('http://releases.invalid/');
  return execSync('git describe --tags').toString(); // expect: no-blocking-in-async
}
