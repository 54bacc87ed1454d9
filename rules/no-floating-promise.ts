import check from '../analyzer/checks/no-floating-promise.js';
import { ruleFromCheck } from './from-check.js';

export default ruleFromCheck(check);
