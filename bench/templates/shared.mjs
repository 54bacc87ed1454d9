/**
 * Source templates for the shared part of the synthetic app (`bench/generate.mjs`): helper
 * chains across files (some end in a blocking call), the audit log, errors, money, the data
 * source, the routes, the job groups and the server.
 */

/** A helper in a chain across files: step k calls step k-1; the first step of a chain is a leaf. */
export function utilFile(u) {
  const prev = u.prev;
  const body = prev
    ? `  return ${prev.fn}(value.trim()).replace(/\\s+/g, '${u.sep}');`
    : `  return value.normalize('NFC');`;
  const labels = prev
    ? `  return ${prev.labelsFn}(scope).map((label) => label.toLowerCase());`
    : u.blocking
      ? `  return readFileSync(path.join('labels', \`\${scope}.txt\`), 'utf8').split('\\n');`
      : `  return [scope, 'default'];`;
  const labelsAsync = prev
    ? `  const labels = await ${prev.asyncFn}(scope);
  return labels.map((label) => label.toLowerCase());`
    : `  const text = await readFile(path.join('labels', \`\${scope}.txt\`), 'utf8').catch(() => scope);
  return text.split('\\n');`;
  return `${prev ? `import { ${prev.fn}, ${prev.labelsFn}, ${prev.asyncFn} } from './${prev.file}.js';\n` : `import { readFileSync } from 'node:fs';\nimport { readFile } from 'node:fs/promises';\nimport path from 'node:path';\n`}
/** Step ${u.index} of a normalisation chain. */
export function ${u.fn}(value: string): string {
${body}
}

/** Labels for a scope (chain step ${u.index}). */
export function ${u.labelsFn}(scope: string): string[] {
${labels}
}

export async function ${u.asyncFn}(scope: string): Promise<string[]> {
${labelsAsync}
}
`;
}

export const SHARED_FILES = {
  'src/lib/audit.ts': `import { appendFile } from 'node:fs/promises';

export interface AuditSink {
  write(line: string): Promise<void>;
}

class FileSink implements AuditSink {
  constructor(private readonly file: string) {}
  write(line: string): Promise<void> {
    return appendFile(this.file, line + '\\n');
  }
}

export class AuditLog {
  constructor(private readonly sink: AuditSink = new FileSink('audit.log')) {}

  async log(event: string, data: Record<string, unknown>): Promise<void> {
    await this.sink.write(JSON.stringify({ at: new Date().toISOString(), event, ...data }));
  }
}

export const audit = new AuditLog();
`,
  'src/lib/errors.ts': `import type { Response } from 'express';

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export class NotFoundError extends HttpError {
  constructor(what: string, id: number) {
    super(404, \`\${what} \${id} not found\`);
  }
}

export class ValidationError extends HttpError {
  constructor(message: string) {
    super(400, message);
  }
}

export function sendError(res: Response, error: unknown): void {
  const status = error instanceof HttpError ? error.status : 500;
  res.status(status).json({ error: error instanceof Error ? error.message : String(error) });
}
`,
  'src/lib/money.ts': `const formatter = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

export function formatCents(cents: number): string {
  return formatter.format(cents / 100);
}

export function sumCents(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0);
}
`,
  'src/db/data-source.ts': `import { DataSource } from 'typeorm';

/** Entities are found by file name, so this module does not import every domain. */
export const dataSource = new DataSource({
  type: 'sqljs',
  entities: ['dist/**/*.entity.js'],
  synchronize: true,
  logging: false,
});
`,
};

export function routesFile(group, domains) {
  const imports = domains
    .map((d) => `import { archive${d.Name}, create${d.Name}, get${d.Name}, owner${d.Name}, search${d.Name} } from '../domains/${d.name}/${d.name}.handler.js';`)
    .join('\n');
  const routes = domains
    .map(
      (d) => `  router.get('/${d.name}/:id', (req, res, next) => {
    get${d.Name}(req, res).catch(next);
  });
  router.get('/${d.name}', (req, res, next) => {
    search${d.Name}(req, res).catch(next);
  });
  router.post('/${d.name}', (req, res, next) => {
    create${d.Name}(req, res).catch(next);
  });
  router.post('/${d.name}/:id/archive', (req, res, next) => {
    archive${d.Name}(req, res).catch(next);
  });
  router.get('/${d.name}/:id/owner', (req, res, next) => {
    owner${d.Name}(req, res).catch(next);
  });`,
    )
    .join('\n');
  return `import { Router } from 'express';
${imports}

export function routes${group}(): Router {
  const router = Router();
${routes}
  return router;
}
`;
}

export function appFile(groups) {
  return `import express from 'express';
${groups.map((g) => `import { routes${g} } from './routes-${g}.js';`).join('\n')}

export function createApp(): express.Express {
  const app = express();
  app.use(express.json());
${groups.map((g) => `  app.use(routes${g}());`).join('\n')}
  return app;
}
`;
}

export function jobsGroupFile(group, domains) {
  return `${domains.map((d) => `import { ${d.name}Jobs } from '../domains/${d.name}/${d.name}.jobs.js';`).join('\n')}

const all = [${domains.map((d) => `${d.name}Jobs`).join(', ')}];

export async function drain${group}(): Promise<number> {
  const counts = await Promise.all(all.map((jobs) => jobs.drain()));
  return counts.reduce((sum, n) => sum + n, 0);
}
`;
}

export function jobsIndexFile(groups) {
  return `${groups.map((g) => `import { drain${g} } from './jobs-${g}.js';`).join('\n')}

export async function drainAll(): Promise<number> {
  let total = 0;
${groups.map((g) => `  total += await drain${g}();`).join('\n')}
  return total;
}
`;
}

export const SERVER_FILE = `import 'reflect-metadata';
import { dataSource } from './db/data-source.js';
import { createApp } from './http/app.js';
import { drainAll } from './jobs/index.js';

async function main(): Promise<void> {
  await dataSource.initialize();
  const app = createApp();
  const timer = setInterval(() => {
    drainAll().catch((error: unknown) => console.error('jobs failed', error));
  }, 1_000);
  timer.unref();
  app.listen(Number(process.env.PORT ?? 3000));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
`;
