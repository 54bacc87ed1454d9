/** Imported by worker.ts right after ./worker-boot.ts: marks when the TypeScript bundle has been evaluated. */
import ts from 'typescript';
import { bootMarks } from './worker-boot.js';
import { stamp } from './timeline.js';

bootMarks[`typescript ${ts.versionMajorMinor} loaded`] = stamp();
