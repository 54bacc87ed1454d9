import check from '../analyzer/orm/no-query-in-loop.js';
import { ruleFromCheck } from './from-check.js';

export default ruleFromCheck(check);
