/**
 * The names of the output formats. Kept apart from the formatters: argument parsing reads them
 * before the TypeScript copy is chosen, so this module imports nothing.
 */
export const FORMAT_NAMES = ['pretty', 'json', 'sarif', 'github'] as const;

export type FormatName = (typeof FORMAT_NAMES)[number];

export function isFormatName(name: string): name is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(name);
}
