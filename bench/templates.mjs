/** The source templates of `bench/generate.mjs`: one domain, and the shared files. */
export * from './templates/domain.mjs';
export * from './templates/behaviour.mjs';
export * from './templates/shared.mjs';
