import check from '../analyzer/orm/transactions/no-query-outside-transaction.js';
import { ruleFromCheck } from './from-check.js';

export default ruleFromCheck(check);
