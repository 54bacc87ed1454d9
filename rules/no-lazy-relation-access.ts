import check from '../analyzer/orm/no-lazy-relation-access.js';
import { ruleFromCheck } from './from-check.js';

export default ruleFromCheck(check);
