import check from '../analyzer/promises/no-missing-await/no-missing-await.js';
import { ruleFromCheck } from './from-check.js';

export default ruleFromCheck(check);
