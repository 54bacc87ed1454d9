import check from '../analyzer/checks/no-await-race.js';
import { ruleFromCheck } from './from-check.js';

export default ruleFromCheck(check);
