/**
 * Source templates for one domain of the synthetic app (`bench/generate.mjs`): an entity,
 * types, a repository, a service, an HTTP handler, validators, a mapper and a background job.
 * `plant(kind)` decides (from the seeded random source) whether a slot holds a bug of that
 * kind, and counts it; otherwise the slot holds a correct look-alike.
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
