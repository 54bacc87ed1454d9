import * as A from './a.js';
import { viaReexport } from './a.js';

export function entry(): string {
  return A.selfRecursive(3) + viaReexport() + new A.Service().run();
}
