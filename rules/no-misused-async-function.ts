import check from '../analyzer/checks/no-misused-async-function.js';
import { ruleFromCheck } from './from-check.js';

export default ruleFromCheck(check);
