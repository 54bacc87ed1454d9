/**
 * The playground's state in the URL fragment, so a link reproduces what its author saw:
 *
 *   #code=<base64url(UTF-8 source)>     one file, `main.ts`, default settings
 *   #state=<base64url(UTF-8 JSON)>      several files and/or settings:
 *        { "files": [{ "name": "main.ts", "text": "..." }, ...],
 *          "active": "main.ts",                   (optional) the tab shown
 *          "config": { "rules": { ... } } }       (optional) as in .concurrency-lint.json
 *   #example=<rule-id>                  the bundled example of that rule
 *
 * base64url is RFC 4648 section 5 without padding.
 */
export interface PlaygroundFile {
  name: string;
  text: string;
}

export interface PlaygroundState {
  files: PlaygroundFile[];
  active?: string;
  config?: { rules?: Record<string, unknown> };
}

export function encodeBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeBase64Url(data: string): string {
  const b64 = data.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

function hasSettings(state: PlaygroundState): boolean {
  return Object.keys(state.config?.rules ?? {}).length > 0;
}

/** The shortest fragment that gives back `state`. */
export function stateToHash(state: PlaygroundState): string {
  const [only] = state.files;
  if (state.files.length === 1 && only!.name === 'main.ts' && !hasSettings(state)) return `#code=${encodeBase64Url(only!.text)}`;
  const json: PlaygroundState = { files: state.files };
  if (state.active && state.active !== state.files[0]?.name) json.active = state.active;
  if (hasSettings(state)) json.config = state.config;
  return `#state=${encodeBase64Url(JSON.stringify(json))}`;
}

/** The state a fragment describes, `{ example }` for `#example=`, or undefined when it describes none. */
export function hashToState(hash: string): PlaygroundState | { example: string } | undefined {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const code = params.get('code');
  if (code !== null) return { files: [{ name: 'main.ts', text: decodeBase64Url(code) }] };
  const example = params.get('example');
  if (example) return { example };
  const raw = params.get('state');
  if (raw === null) return undefined;
  const parsed = JSON.parse(decodeBase64Url(raw)) as PlaygroundState;
  if (!Array.isArray(parsed.files) || parsed.files.length === 0) throw new Error('#state= has no files');
  for (const f of parsed.files) {
    if (typeof f.name !== 'string' || typeof f.text !== 'string' || !/^[\w.-]+\.(ts|tsx|js|mjs|cjs|mts|cts)$/.test(f.name)) throw new Error(`#state=: bad file ${JSON.stringify(f.name)}`);
  }
  return parsed;
}
