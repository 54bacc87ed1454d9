import check from '../analyzer/locks/require-lock-release.js';
import { ruleFromCheck } from './from-check.js';

export default ruleFromCheck(check);
