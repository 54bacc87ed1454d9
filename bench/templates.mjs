/**
 * Source templates for the synthetic projects of `bench/generate.mjs`. Each domain of the
 * generated app has an entity, types, a repository, a service, an HTTP handler, validators, a
 * mapper and a background job; shared files hold helper chains that cross files, an audit log,
 * templates and the routes. `plant(kind)` decides (from the seeded random source) whether a
 * slot holds a bug of that kind, and counts it; otherwise the slot holds a correct look-alike.
 */

/** Probability that a slot holds a bug, per kind (rule id it should trigger). */
export const BUG_RATES = {
  'no-floating-promise': 0.15,
  'no-missing-await': 0.08,
  'no-misused-async-function': 0.08,
  'no-blocking-in-async': 0.1,
  'no-lock-order-inversion': 0.04,
  'require-lock-release': 0.06,
  'no-query-in-loop': 0.08,
  'no-lazy-relation-access': 0.06,
  'no-await-race': 0.06,
};

export function entityFile(d) {
  const rel = d.dep;
  return `import { Column, CreateDateColumn, Entity, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
${rel ? `import { ${rel.Name} } from '../${rel.name}/${rel.name}.entity.js';\n` : ''}import type { ${d.Name}Status } from './${d.name}.types.js';

/** A ${d.name} row. */
@Entity()
export class ${d.Name} {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column()
  title!: string;

  @Column('int')
  amountCents!: number;

  @Column({ type: 'varchar', default: 'open' })
  status!: ${d.Name}Status;

  @Column('simple-json', { default: '[]' })
  tags!: string[];

  @CreateDateColumn()
  createdAt!: Date;
${rel ? `
  @Column({ nullable: true })
  ownerId?: number;

  /** Lazy relation: loaded only with \`relations: { owner: true }\`. */
  @ManyToOne(() => ${rel.Name})
  owner!: ${rel.Name};
` : ''}}
`;
}

export function typesFile(d) {
  return `export type ${d.Name}Status = 'open' | 'active' | 'closed' | 'archived';

export interface Create${d.Name}Input {
  title: string;
  amountCents: number;
  tags?: string[];
  ownerId?: number;
}

export type Update${d.Name}Input = Partial<Omit<Create${d.Name}Input, 'ownerId'>> & { status?: ${d.Name}Status };

export interface ${d.Name}Dto {
  id: number;
  title: string;
  amount: string;
  status: ${d.Name}Status;
  tags: readonly string[];
  owner?: string;
}

export type ${d.Name}Event =
  | { kind: 'created'; id: number }
  | { kind: 'updated'; id: number; changes: (keyof Update${d.Name}Input)[] }
  | { kind: 'archived'; id: number; reason: string };

export const ${d.NAME}_PAGE_SIZE = ${20 + (d.index % 5) * 10};
`;
}

export function repositoryFile(d, plant) {
  const loop = plant('no-query-in-loop');
  const loadMany = loop
    ? `  /** Loads each row on its own. */
  async loadEach(ids: number[]): Promise<${d.Name}[]> {
    const rows: ${d.Name}[] = [];
    for (const id of ids) {
      const row = await this.repo.findOneBy({ id }); // expect: no-query-in-loop
      if (row) rows.push(row);
    }
    return rows;
  }`
    : `  /** Loads the rows in one query. */
  async loadEach(ids: number[]): Promise<${d.Name}[]> {
    if (ids.length === 0) return [];
    return this.repo.findBy({ id: In(ids) });
  }`;
  return `import { In, MoreThanOrEqual, type Repository } from 'typeorm';
import { dataSource } from '../../db/data-source.js';
import { ${d.Name} } from './${d.name}.entity.js';
import { ${d.NAME}_PAGE_SIZE, type ${d.Name}Status } from './${d.name}.types.js';

export class ${d.Name}Repository {
  constructor(private readonly repo: Repository<${d.Name}> = dataSource.getRepository(${d.Name})) {}

  findById(id: number): Promise<${d.Name} | null> {
    return this.repo.findOneBy({ id });
  }
${d.dep ? `
  findWithOwner(id: number): Promise<${d.Name} | null> {
    return this.repo.findOne({ where: { id }, relations: { owner: true } });
  }
` : ''}
  page(status: ${d.Name}Status, page = 0): Promise<${d.Name}[]> {
    return this.repo.find({ where: { status }, order: { createdAt: 'DESC' }, skip: page * ${d.NAME}_PAGE_SIZE, take: ${d.NAME}_PAGE_SIZE });
  }

  since(date: Date): Promise<${d.Name}[]> {
    return this.repo.find({ where: { createdAt: MoreThanOrEqual(date) } });
  }

${loadMany}

  create(fields: Partial<${d.Name}>): ${d.Name} {
    return this.repo.create(fields);
  }

  save(row: ${d.Name}): Promise<${d.Name}> {
    return this.repo.save(row);
  }

  async remove(id: number): Promise<boolean> {
    const result = await this.repo.delete({ id });
    return (result.affected ?? 0) > 0;
  }
}

export const ${d.name}Repository = new ${d.Name}Repository();
`;
}

export function serviceFile(d, plant) {
  const floating = plant('no-floating-promise');
  const misused = plant('no-misused-async-function');
  const race = plant('no-await-race');
  const lazy = d.dep && plant('no-lazy-relation-access');
  const dep = d.dep;
  const auditLine = floating
    ? `    audit.log('${d.name}.created', { id: saved.id }); // expect: no-floating-promise`
    : `    await audit.log('${d.name}.created', { id: saved.id });`;
  const notify = misused
    ? `    rows.forEach(async (row) => { // expect: no-misused-async-function
      await audit.log('${d.name}.archived', { id: row.id });
    });`
    : `    await Promise.all(rows.map((row) => audit.log('${d.name}.archived', { id: row.id })));`;
  const fee = race
    ? `    this.totalCents = this.totalCents + await this.feeFor(row.amountCents); // expect: no-await-race`
    : `    const fee = await this.feeFor(row.amountCents);
    this.totalCents += fee;`;
  const owner = dep
    ? lazy
      ? `  async ownerName(id: number): Promise<string> {
    const row = await this.repo.findById(id);
    if (!row) throw new NotFoundError('${d.name}', id);
    return row.owner.title; // expect: no-lazy-relation-access
  }`
      : `  async ownerName(id: number): Promise<string> {
    const row = await this.repo.findWithOwner(id);
    if (!row) throw new NotFoundError('${d.name}', id);
    return row.owner.title;
  }`
    : `  async ownerName(id: number): Promise<string> {
    const row = await this.get(id);
    return row.title;
  }`;
  return `import { Mutex } from 'async-mutex';
import { audit } from '../../lib/audit.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { ${d.util.fn} } from '../../lib/${d.util.file}.js';
${dep ? `import { ${dep.name}Service } from '../${dep.name}/${dep.name}.service.js';\n` : ''}import type { ${d.Name} } from './${d.name}.entity.js';
import { ${d.name}Repository, type ${d.Name}Repository } from './${d.name}.repository.js';
import type { Create${d.Name}Input, Update${d.Name}Input } from './${d.name}.types.js';
import { validate${d.Name} } from './${d.name}.validators.js';

export class ${d.Name}Service {
  private readonly lock = new Mutex();
  private readonly cache = new Map<number, ${d.Name}>();
  private totalCents = 0;

  constructor(private readonly repo: ${d.Name}Repository = ${d.name}Repository) {}

  async get(id: number): Promise<${d.Name}> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const row = await this.repo.findById(id);
    if (!row) throw new NotFoundError('${d.name}', id);
    this.cache.set(id, row);
    return row;
  }

  async isAllowed(actorId: number, id: number): Promise<boolean> {
    const row = await this.get(id);
    return row.status !== 'archived' && actorId > 0;
  }

  async create(input: Create${d.Name}Input): Promise<${d.Name}> {
    const problems = validate${d.Name}(input);
    if (problems.length > 0) throw new ValidationError(problems.join('; '));
${dep ? `    if (input.ownerId !== undefined) await ${dep.name}Service.get(input.ownerId);\n` : ''}    const row = this.repo.create({ title: ${d.util.fn}(input.title), amountCents: input.amountCents, tags: input.tags ?? [] });
    const saved = await this.repo.save(row);
${auditLine}
    return saved;
  }

  update(id: number, changes: Update${d.Name}Input): Promise<${d.Name}> {
    return this.lock.runExclusive(async () => {
      const row = await this.get(id);
      Object.assign(row, changes);
      this.cache.delete(id);
      return this.repo.save(row);
    });
  }

  async archiveAll(ids: number[]): Promise<number> {
    const rows = await this.repo.loadEach(ids);
    for (const row of rows) row.status = 'archived';
${notify}
    return rows.length;
  }

  /** Open rows whose title or tags match every word of the query, newest first. */
  async search(query: string, page = 0): Promise<${d.Name}[]> {
    const words = query.toLowerCase().split(/\s+/).filter((word) => word.length > 0);
    const rows = await this.repo.page('open', page);
    return rows
      .filter((row) => words.every((word) => row.title.toLowerCase().includes(word) || row.tags.includes(word)))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  async charge(id: number): Promise<number> {
    const row = await this.get(id);
${fee}
    return this.totalCents;
  }

${owner}

  private async feeFor(amountCents: number): Promise<number> {
    await Promise.resolve();
    return Math.round(amountCents * 0.029) + 30;
  }
}

export const ${d.name}Service = new ${d.Name}Service();
`;
}

export function handlerFile(d, plant) {
  const guard = plant('no-missing-await');
  const blocking = plant('no-blocking-in-async');
  const guardLine = guard
    ? `  if (!${d.name}Service.isAllowed(actor, id)) { // expect: no-missing-await`
    : `  if (!(await ${d.name}Service.isAllowed(actor, id))) {`;
  const labels = blocking
    ? `  const labels = ${d.chain.fn}('${d.name}'); // expect: no-blocking-in-async`
    : `  const labels = await ${d.chain.asyncFn}('${d.name}');`;
  return `import type { Request, Response } from 'express';
import { HttpError, sendError } from '../../lib/errors.js';
import { ${blocking ? d.chain.fn : d.chain.asyncFn} } from '../../lib/${d.chain.file}.js';
import { to${d.Name}Dto, to${d.Name}Dtos } from './${d.name}.mapper.js';
import { ${d.name}Service } from './${d.name}.service.js';
import type { Create${d.Name}Input } from './${d.name}.types.js';

function actorOf(req: Request): number {
  return Number(req.header('x-actor') ?? 0);
}

export async function get${d.Name}(req: Request, res: Response): Promise<void> {
  try {
    const row = await ${d.name}Service.get(Number(req.params.id));
${labels}
    res.json({ ...to${d.Name}Dto(row), labels });
  } catch (error) {
    sendError(res, error);
  }
}

export async function create${d.Name}(req: Request, res: Response): Promise<void> {
  try {
    const row = await ${d.name}Service.create(req.body as Create${d.Name}Input);
    res.status(201).json(to${d.Name}Dto(row));
  } catch (error) {
    sendError(res, error);
  }
}

export async function search${d.Name}(req: Request, res: Response): Promise<void> {
  const query = typeof req.query.q === 'string' ? req.query.q : '';
  const page = Number(req.query.page ?? 0);
  try {
    const rows = await ${d.name}Service.search(query, Number.isFinite(page) ? page : 0);
    res.json({ page, items: to${d.Name}Dtos(rows) });
  } catch (error) {
    sendError(res, error);
  }
}

export async function archive${d.Name}(req: Request, res: Response): Promise<void> {
  const actor = actorOf(req);
  const id = Number(req.params.id);
${guardLine}
    sendError(res, new HttpError(403, 'not allowed'));
    return;
  }
  const count = await ${d.name}Service.archiveAll([id]);
  res.json({ archived: count });
}

export async function owner${d.Name}(req: Request, res: Response): Promise<void> {
  try {
    res.json({ owner: await ${d.name}Service.ownerName(Number(req.params.id)) });
  } catch (error) {
    sendError(res, error);
  }
}
`;
}

export function validatorsFile(d) {
  return `import type { Create${d.Name}Input } from './${d.name}.types.js';

const MAX_TITLE = ${40 + (d.index % 7) * 10};

export function isBlank(value: string | undefined): boolean {
  return value === undefined || value.trim().length === 0;
}

export function validate${d.Name}(input: Create${d.Name}Input): string[] {
  const problems: string[] = [];
  if (isBlank(input.title)) problems.push('title is required');
  else if (input.title.length > MAX_TITLE) problems.push(\`title is longer than \${MAX_TITLE}\`);
  if (!Number.isInteger(input.amountCents) || input.amountCents < 0) problems.push('amountCents must be a non-negative integer');
  for (const tag of input.tags ?? []) {
    if (!/^[a-z0-9-]+$/.test(tag)) problems.push(\`bad tag '\${tag}'\`);
  }
  return problems;
}
`;
}

export function mapperFile(d) {
  return `import { formatCents } from '../../lib/money.js';
import type { ${d.Name} } from './${d.name}.entity.js';
import type { ${d.Name}Dto } from './${d.name}.types.js';

export function to${d.Name}Dto(row: ${d.Name}): ${d.Name}Dto {
  return {
    id: row.id,
    title: row.title,
    amount: formatCents(row.amountCents),
    status: row.status,
    tags: [...row.tags].sort(),
  };
}

export function to${d.Name}Dtos(rows: readonly ${d.Name}[]): ${d.Name}Dto[] {
  return rows.map(to${d.Name}Dto);
}
`;
}

export function jobsFile(d, plant) {
  const inversion = plant('no-lock-order-inversion');
  const leak = plant('require-lock-release');
  const first = inversion ? 'ledgerLock' : 'stockLock';
  const second = inversion ? 'stockLock' : 'ledgerLock';
  const enqueue = leak
    ? `  async enqueue(id: number): Promise<void> {
    const release = await this.queueLock.acquire(); // expect: require-lock-release
    this.queue.push(id);
    await audit.log('${d.name}.queued', { id });
    release();
  }`
    : `  async enqueue(id: number): Promise<void> {
    const release = await this.queueLock.acquire();
    try {
      this.queue.push(id);
      await audit.log('${d.name}.queued', { id });
    } finally {
      release();
    }
  }`;
  return `import { Mutex } from 'async-mutex';
import { audit } from '../../lib/audit.js';
import { ${d.name}Service } from './${d.name}.service.js';

export class ${d.Name}Jobs {
  private readonly queue: number[] = [];
  private readonly queueLock = new Mutex();
  private readonly stockLock = new Mutex();
  private readonly ledgerLock = new Mutex();

${enqueue}

  async drain(): Promise<number> {
    const batch = await this.queueLock.runExclusive(() => this.queue.splice(0, this.queue.length));
    let done = 0;
    for (const id of batch) {
      try {
        await this.reserve(id);
        done++;
      } catch (error) {
        console.error('${d.name} job failed', id, error);
      }
    }
    return done;
  }

  private async reserve(id: number): Promise<void> {
    const releaseStock = await this.stockLock.acquire();
    try {
      const releaseLedger = await this.ledgerLock.acquire();
      try {
        await ${d.name}Service.charge(id);
      } finally {
        releaseLedger();
      }
    } finally {
      releaseStock();
    }
  }

  async settle(id: number): Promise<void> {
    const releaseFirst = await this.${first}.acquire();
    try {
      const releaseSecond = await this.${second}.acquire();${inversion ? ' // expect: no-lock-order-inversion' : ''}
      try {
        await ${d.name}Service.update(id, { status: 'closed' });
      } finally {
        releaseSecond();
      }
    } finally {
      releaseFirst();
    }
  }
}

export const ${d.name}Jobs = new ${d.Name}Jobs();
`;
}

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
