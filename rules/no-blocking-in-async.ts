import check from '../analyzer/checks/no-blocking-in-async.js';
import { ruleFromCheck } from './from-check.js';

export default ruleFromCheck(check);
