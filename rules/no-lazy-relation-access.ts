import check from '../analyzer/checks/no-lazy-relation-access.js';
import { ruleFromCheck } from './from-check.js';

export default ruleFromCheck(check);
