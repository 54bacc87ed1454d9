#!/usr/bin/env node
/**
 * The packed package.json has no `prepare` script. In this repository `prepare` builds dist/
 * on `npm ci` (so `npx concurrency-lint` works straight after it), but in a user's project
 * npm 11 warns about every dependency that has an install-time script, and the tarball ships
 * dist/ already built. `npm pack` / `npm publish` run `prepack` (strip) before reading the
 * files and `postpack` (restore) after, so the tarball gets the stripped manifest and the
 * repository keeps its own.
 *
 *   node scripts/pack-manifest.mjs strip | restore
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MANIFEST = path.join(ROOT, 'package.json');
const BACKUP = path.join(ROOT, 'package.json.pack-backup');

const mode = process.argv[2];
if (mode === 'strip') {
  const text = fs.readFileSync(MANIFEST, 'utf8');
  if (!fs.existsSync(BACKUP)) fs.writeFileSync(BACKUP, text);
  const manifest = JSON.parse(text);
  delete manifest.scripts.prepare;
  fs.writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
} else if (mode === 'restore') {
  if (fs.existsSync(BACKUP)) {
    fs.copyFileSync(BACKUP, MANIFEST);
    fs.rmSync(BACKUP);
  }
} else {
  process.stderr.write('usage: node scripts/pack-manifest.mjs strip | restore\n');
  process.exitCode = 2;
}
