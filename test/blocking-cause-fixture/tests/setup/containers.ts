// A test runner's global set-up, loaded by its path from the runner's config (no module imports
// it): test support, so its blocking calls stall only the test run.
import { execSync } from 'node:child_process';

export default async function setup(): Promise<() => Promise<void>> {
  execSync('docker compose up -d');
  await fetch('http://127.0.0.1:8080/health');
  return async () => {
    execSync('docker compose down');
  };
}
