import check from '../analyzer/blocking/no-blocking-in-async.js';
import { ruleFromCheck } from './from-check.js';

/**
 * In an editor the finding belongs in the open file, at the call that leads to the blocking
 * code, and ESLint's own cache keys a file's messages on that file alone: per call site.
 */
export default ruleFromCheck(check, { report: 'site' });
