import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { migrate, MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations';
import { openJobStore } from './store';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lab-migrate-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const version = (db: DatabaseSync) => (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;

describe('job DB migrations', () => {
  it('are numbered 1, 2, 3... in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('apply only the versions not yet applied, and are a no-op the second time', () => {
    const file = path.join(dir, 'jobs.sqlite');
    const db = new DatabaseSync(file);
    const extra: Migration = { version: SCHEMA_VERSION + 1, description: 'test column', up: (d) => d.exec('ALTER TABLE jobs ADD COLUMN note TEXT') };
    expect(migrate(db, file)).toEqual({ from: 0, to: SCHEMA_VERSION });
    expect(migrate(db, file, [...MIGRATIONS, extra])).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION + 1 });
    expect(migrate(db, file, [...MIGRATIONS, extra])).toEqual({ from: SCHEMA_VERSION + 1, to: SCHEMA_VERSION + 1 });
    expect(version(db)).toBe(SCHEMA_VERSION + 1);
    db.close();
  });

  it('roll a failed migration back completely, user_version included', () => {
    const file = path.join(dir, 'jobs.sqlite');
    openJobStore(file).close();
    const db = new DatabaseSync(file);
    const broken: Migration = {
      version: SCHEMA_VERSION + 1,
      description: 'half-done upgrade',
      up: (d) => {
        d.exec('CREATE TABLE half (x)');
        d.exec('THIS IS NOT SQL');
      },
    };
    let err: unknown;
    try {
      migrate(db, file, [...MIGRATIONS, broken]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).message).toMatch(new RegExp(`schema version ${SCHEMA_VERSION + 1} \\(half-done upgrade\\) failed and was rolled back`));
    expect(version(db)).toBe(SCHEMA_VERSION);
    expect(db.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE name = 'half'`).get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('job DB sharing', () => {
  it('lets a second connection read what the first wrote (two processes on one history)', () => {
    const file = path.join(dir, 'jobs.sqlite');
    const a = openJobStore(file);
    const b = openJobStore(file);
    try {
      const job = a.createJob({ kind: 'k', params: { n: 1 } });
      expect(b.getJob(job.id)).toMatchObject({ state: 'queued', params: { n: 1 } });
      b.markRunning(job.id);
      expect(a.getJob(job.id)!.state).toBe('running');
    } finally {
      a.close();
      b.close();
    }
  });
});
