/** Globs of the CLI (`--project` lists, `ignore` patterns) as regular expressions. */

/** A glob (`*`, `**`, `?`) as a regular expression over forward-slash paths. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      source += slash ? '(?:[^/]+/)*' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^$()|\\[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
