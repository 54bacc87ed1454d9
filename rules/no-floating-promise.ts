import check from '../analyzer/promises/no-floating-promise.js';
import { ruleFromCheck } from './from-check.js';

export default ruleFromCheck(check);
