/**
 * Source templates for the parts of a domain where the concurrency bugs live: the service
 * (locks, audit calls, callbacks, read-modify-write), the HTTP handler (guards, blocking
 * helpers) and the background job (lock order, lock release).
 */

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
      // With settle() taking these locks in the other order, the first one in the file is reported.
      const releaseLedger = await this.ledgerLock.acquire();${inversion ? ' // expect: no-lock-order-inversion' : ''}
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
      const releaseSecond = await this.${second}.acquire();
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
