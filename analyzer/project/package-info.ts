/** This package's name and version, read from its package.json (works from sources and from dist/). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageInfo {
  name: string;
  version: string;
}

function find(): PackageInfo {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as Partial<PackageInfo>;
      if (pkg.name === 'concurrency-lint') return { name: pkg.name, version: pkg.version ?? '0.0.0' };
    }
    const parent = path.dirname(dir);
    if (parent === dir) return { name: 'concurrency-lint', version: '0.0.0' };
    dir = parent;
  }
}

export const packageInfo: PackageInfo = find();
