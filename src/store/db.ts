import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HeraldError } from '../errors.js';
import { abiKey, streamKey } from '../versions/abi.js';

export type DB = Database.Database;

/** migrations/ ships beside src/ and dist/ alike. */
export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');

/** Where better-sqlite3's install leaves its compiled part, prebuilt or built here. */
export const SQLITE_ADDON = 'better-sqlite3/build/Release/better_sqlite3.node';

let addon: string | undefined;

/**
 * better-sqlite3's JavaScript is bundled with ours and its compiled part stays
 * in node_modules. Named here, it skips the `bindings` package, which searched
 * a dozen paths for it on every start, and which cannot find it from inside a
 * bundle at all.
 */
function sqliteAddon(): string {
  if (addon) return addon;
  try {
    return (addon = createRequire(import.meta.url).resolve(SQLITE_ADDON));
  } catch (err) {
    throw new HeraldError('ERUNTIME', `cannot find SQLite (${SQLITE_ADDON}): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}; reinstall the dependencies (npm ci --omit=dev)`);
  }
}

interface Migration { version: number; name: string; sql: string }

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f.replace(/\.sql$/, ''), sql: readFileSync(join(dir, f), 'utf8') }));
}

export function openDatabase(path: string, opts: { migrationsDir?: string } = {}): DB {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { nativeBinding: sqliteAddon() });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Migrations that recompute derived columns use the program's own rules.
    db.function('kh_stream', { deterministic: true }, (distro, distroRelease, pkg, flavour) =>
      streamKey({ distro: String(distro), distro_release: String(distroRelease), package: String(pkg), ...(flavour === null ? {} : { flavour: String(flavour) }) }));
    db.function('kh_abi', { deterministic: true }, (distro, version) => abiKey({ distro: String(distro), version: String(version) }));
    migrate(db, loadMigrations(opts.migrationsDir), path);
    cachePrepared(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

function migrate(db: DB, migrations: Migration[], path: string): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[];
  const known = new Set(migrations.map((m) => m.version));
  const newest = Math.max(0, ...applied);
  const codeNewest = Math.max(0, ...known);
  if (newest > codeNewest) {
    throw new HeraldError('ESCHEMA',
      `database ${path} is at schema version ${newest}, newer than this program knows (${codeNewest}); refusing to start: upgrade kernel-herald or restore a matching database`,
      { path, db_version: newest, code_version: codeNewest });
  }
  const done = new Set(applied);
  const insert = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  // All pending migrations in one transaction: a failure leaves the database as it was.
  db.transaction(() => {
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      db.exec(m.sql);
      insert.run(m.version, m.name, new Date().toISOString());
    }
  })();
}

/**
 * The store modules prepare their statements where they use them; this keeps
 * each one, by its SQL, for the life of the connection, so a hot path (ingest,
 * the outbox) compiles nothing twice. A reused reader comes back in its plain
 * mode, whatever pluck() or raw() its last caller set.
 */
function cachePrepared(db: DB): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, ReturnType<typeof prepare>>();
  db.prepare = ((sql: string) => {
    const hit = cache.get(sql);
    if (hit) return hit.reader ? hit.raw(false).pluck(false).expand(false) : hit;
    const st = prepare(sql);
    // SQL built per call (an IN list of n ids) must not grow this forever.
    if (cache.size >= 1000) cache.clear();
    cache.set(sql, st);
    return st;
  }) as typeof db.prepare;
}

