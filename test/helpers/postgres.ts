/**
 * A throwaway PostgreSQL server for the tests that prove database bugs on a real server: `initdb`
 * into a fresh temporary folder, `pg_ctl start` listening only on a unix socket inside that
 * folder (no TCP port, so parallel runs never collide), `stop()` kills it and deletes the folder.
 *
 * The server programs come from Debian's `postgresql` package (`.ci/run` installs it when
 * missing). When they cannot be found, `startPostgres` throws with what to install: a proof that
 * silently skips proves nothing. PostgreSQL refuses to run as root, so under root the server runs
 * as the `postgres` account the package creates (or `nobody`), which owns the temporary folder.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** The superuser `initdb` creates; every local connection is trusted. */
const SUPERUSER = 'postgres';
/** Only names the socket file (`.s.PGSQL.5432`) in the server's own folder: nothing listens on TCP. */
const PORT = 5432;

export interface PostgresServer {
  /** The folder holding the server's unix socket: the `host` for pg-based drivers. */
  host: string;
  port: number;
  user: string;
  /** Connection settings for `database` (pg's `ClientConfig` / `PoolConfig` shape). */
  config(database: string): { host: string; port: number; user: string; database: string };
  /** Runs SQL on `database` through a short-lived connection of its own. */
  sql(database: string, text: string, values?: unknown[]): Promise<pg.QueryResult>;
  /** Ends every other connection to `database`: it frees whatever a hung test left waiting. */
  terminateConnections(database: string): Promise<number>;
  /** Stops the server (immediately) and deletes its folder; safe to call twice. */
  stop(): Promise<void>;
}

/** The folder holding `initdb` and `pg_ctl`: on the PATH, else Debian's versioned folder (newest first). */
export function findPostgresBin(searchPath = process.env.PATH ?? '', debian = '/usr/lib/postgresql'): string {
  const hasBoth = (dir: string) => ['initdb', 'pg_ctl'].every((name) => fs.existsSync(path.join(dir, name)));
  for (const dir of searchPath.split(path.delimiter)) if (dir && hasBoth(dir)) return dir;
  const versions = fs.existsSync(debian) ? fs.readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const dir = path.join(debian, version, 'bin');
    if (hasBoth(dir)) return dir;
  }
  throw new Error(
    `PostgreSQL server programs not found (initdb and pg_ctl, looked on the PATH and in ${debian}/<version>/bin): ` +
      "install Debian's postgresql package (`apt-get install -y postgresql`; .ci/run installs it when missing).",
  );
}

/** Under root: the account the server runs as (PostgreSQL refuses root), with its uid and gid. */
function serverAccount(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = fs.readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':'));
  for (const name of ['postgres', 'nobody']) {
    const entry = passwd.find((fields) => fields[0] === name);
    if (entry) return { name, uid: Number(entry[2]), gid: Number(entry[3]) };
  }
  throw new Error('running as root, and neither a `postgres` nor a `nobody` account exists to run the PostgreSQL server as');
}

/** `[file, args]` running `program` from `bin`, as `account` when given. */
function command(bin: string, program: string, args: string[], account: { name: string } | undefined): [string, string[]] {
  const file = path.join(bin, program);
  return account ? ['runuser', ['-u', account.name, '--', file, ...args]] : [file, args];
}

async function runOrExplain(what: string, [file, args]: [string, string[]], logFile?: string): Promise<void> {
  try {
    await run(file, args, { env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr || String(error);
    const log = logFile && fs.existsSync(logFile) ? `\nserver log:\n${fs.readFileSync(logFile, 'utf8')}` : '';
    throw new Error(`${what} failed: ${detail}${log}`);
  }
}

/** Creates, starts and returns a server of its own; call `stop()` in afterAll. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  const account = serverAccount();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-proof-'));
  if (account) fs.chownSync(dir, account.uid, account.gid);
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const pgCtl = (args: string[]) => command(bin, 'pg_ctl', ['-D', data, ...args], account);
  let stopped = false;
  // If the run dies before afterAll, do not leave a server behind.
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    try {
      const [file, args] = pgCtl(['-m', 'immediate', '-w', 'stop']);
      execFileSync(file, args, { stdio: 'ignore' });
    } catch {
      // not running (never started, or already gone)
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopNow);
  try {
    await runOrExplain('initdb', command(bin, 'initdb', ['-D', data, '-A', 'trust', '-U', SUPERUSER, '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'], account));
    // No TCP, the socket in our folder, no fsync (a throwaway database).
    const options = `-c listen_addresses='' -k '${dir}' -p ${PORT} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    await runOrExplain('pg_ctl start', pgCtl(['-l', logFile, '-w', '-t', '60', '-o', options, 'start']), logFile);
  } catch (error) {
    stopNow();
    process.removeListener('exit', stopNow);
    throw error;
  }

  const config = (database: string) => ({ host: dir, port: PORT, user: SUPERUSER, database });
  const sql = async (database: string, text: string, values?: unknown[]) => {
    const client = new pg.Client(config(database));
    await client.connect();
    try {
      return await client.query(text, values);
    } finally {
      await client.end();
    }
  };
  return {
    host: dir,
    port: PORT,
    user: SUPERUSER,
    config,
    sql,
    async terminateConnections(database) {
      const result = await sql('postgres', 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
      return result.rowCount ?? 0;
    },
    async stop() {
      stopNow();
      process.removeListener('exit', stopNow);
    },
  };
}
