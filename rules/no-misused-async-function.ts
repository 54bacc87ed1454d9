import check from '../analyzer/promises/no-misused-async-function/no-misused-async-function.js';
import { ruleFromCheck } from './from-check.js';

export default ruleFromCheck(check);
