/** Types of node-types.mjs, for the playground test. */
import type { NodeTypesSplit } from './src/node-types.js';

export const NODE_TYPES_DIR: string;
export function splitNodeTypes(groups: Record<string, Record<string, string>>): NodeTypesSplit;
