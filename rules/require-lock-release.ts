import check from '../analyzer/checks/require-lock-release.js';
import { ruleFromCheck } from './from-check.js';

export default ruleFromCheck(check);
