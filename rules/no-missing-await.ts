import check from '../analyzer/checks/no-missing-await.js';
import { ruleFromCheck } from './from-check.js';

export default ruleFromCheck(check);
