import { isEven, arrow } from './a.js';

export function isOdd(n: number): boolean {
  if (n === 0) return false;
  arrow();
  return isEven(n - 1);
}

export const helpers = {
  read(): string {
    return arrow();
  },
};
