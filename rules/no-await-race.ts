import check from '../analyzer/race/no-await-race.js';
import { ruleFromCheck } from './from-check.js';

export default ruleFromCheck(check);
