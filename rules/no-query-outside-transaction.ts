import check from '../analyzer/checks/no-query-outside-transaction.js';
import { ruleFromCheck } from './from-check.js';

export default ruleFromCheck(check);
