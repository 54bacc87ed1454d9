import check from '../analyzer/checks/no-lock-order-inversion.js';
import { ruleFromCheck } from './from-check.js';

export default ruleFromCheck(check);
