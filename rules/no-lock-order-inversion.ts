import check from '../analyzer/locks/no-lock-order-inversion.js';
import { ruleFromCheck } from './from-check.js';

export default ruleFromCheck(check);
