import { readFileSync } from 'node:fs';
import { isOdd, helpers } from './b.js';
export { viaReexport } from './c.js';

export function isEven(n: number): boolean {
  if (n === 0) return true;
  return isOdd(n - 1);
}

export function leaf(): string {
  return readFileSync('x', 'utf8');
}

export const arrow = (): string => leaf();

export class Service {
  run(): string {
    return this.step();
  }
  private step(): string {
    return helpers.read();
  }
}

export function selfRecursive(n: number): string {
  return n > 0 ? selfRecursive(n - 1) : leaf();
}

export function overloaded(x: string): string;
export function overloaded(x: number): string;
export function overloaded(x: unknown): string {
  return String(x) + leaf();
}

export function callsOverload(): string {
  return overloaded(1);
}

export function clean(): number {
  return Math.max(1, 2);
}

export function useCallback(xs: number[]): number[] {
  return xs.map((x) => x + 1);
}
