import { leaf as renamed } from './a.js';

export function viaReexport(): string {
  return renamed();
}
