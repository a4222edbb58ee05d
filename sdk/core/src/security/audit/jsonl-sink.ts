import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AuditLogError, ConfigError } from '../../errors.js';
import { type CheckpointKey, checkKey, signCheckpoint } from './checkpoint.js';
import { type AuditRecord, parseRecord } from './record.js';
import type { AuditSink } from './sink.js';

export interface JsonlAuditSinkOptions {
  /** The log file (created with its directory when missing; only ever appended to). */
  path: string;
  /**
   * Records waiting for the disk at most (default 100,000): beyond that, append() rejects with AuditLogError instead
   * of holding ever more memory while the disk stalls.
   */
  maxPending?: number;
  /** Signed checkpoints, written to their own file so that truncating the log is detectable. */
  checkpoints?: {
    /** HMAC secret (>= 32 bytes) or Ed25519 private KeyObject. */
    key: CheckpointKey;
    /** Default `${path}.checkpoints`. */
    path?: string;
    /** Write one after at least this many new records (default 1000)... */
    everyRecords?: number;
    /** ...or after this many ms with new records (default 5000), whichever comes first. */
    everyMs?: number;
  };
}

interface Pending {
  text: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const TAIL_CHUNK = 64 * 1024;

/**
 * Append-only JSONL file with group commit: writes queued while a write+fdatasync is in flight go out together in
 * the next one, and each write() resolves only after the fdatasync that covers its records (acknowledged = on
 * disk). On open, a torn last line (a crash in the middle of a write, never an acknowledged record) is cut off.
 */
export class JsonlAuditSink implements AuditSink {
  readonly name: string;
  readonly #options: JsonlAuditSinkOptions;
  #fh: FileHandle | undefined;
  #cpFh: FileHandle | undefined;
  #queue: Pending[] = [];
  /** Records queued or being written (not yet acknowledged). */
  #pending = 0;
  #flushing = false;
  #failed: unknown;
  #last: { seq: number; hash: string } | undefined;
  #sinceCheckpoint = 0;
  #checkpointTimer: NodeJS.Timeout | undefined;
  #checkpointing: Promise<void> = Promise.resolve();
  /** Bytes cut from a torn tail at open (0 when the file was clean). */
  repairedBytes = 0;

  constructor(options: JsonlAuditSinkOptions) {
    if (typeof options?.path !== 'string' || options.path.length === 0) {
      throw new ConfigError('jsonlAuditSink needs { path }: the audit log file');
    }
    if (options.checkpoints !== undefined) checkKey(options.checkpoints.key, true);
    this.#options = options;
    this.name = `jsonl:${options.path}`;
  }

  async open(): Promise<{ seq: number; hash: string } | undefined> {
    const path = this.#options.path;
    await mkdir(dirname(path), { recursive: true });
    const fh = await open(path, 'a+');
    try {
      this.#last = await this.#recover(fh);
    } catch (error) {
      await fh.close();
      throw error;
    }
    this.#fh = fh;
    const cp = this.#options.checkpoints;
    if (cp !== undefined) {
      this.#cpFh = await open(cp.path ?? `${path}.checkpoints`, 'a');
      const every = cp.everyMs ?? 5000;
      this.#checkpointTimer = setInterval(() => {
        if (this.#sinceCheckpoint > 0) void this.#checkpoint();
      }, every);
      this.#checkpointTimer.unref();
    }
    return this.#last;
  }

  /** Finds the last complete record; cuts a torn tail (bytes after the last newline) off the file. */
  async #recover(fh: FileHandle): Promise<{ seq: number; hash: string } | undefined> {
    const { size } = await fh.stat();
    if (size === 0) return undefined;
    let end = size;
    let tail = '';
    let start = size;
    // Read backwards until the tail holds the last complete line (or the file start).
    for (;;) {
      start = Math.max(0, start - TAIL_CHUNK);
      const buf = Buffer.alloc(end - start);
      await fh.read(buf, 0, buf.length, start);
      tail = buf.toString('utf8') + tail;
      end = start;
      const lastNl = tail.lastIndexOf('\n');
      const prevNl = lastNl <= 0 ? -1 : tail.lastIndexOf('\n', lastNl - 1);
      if (prevNl >= 0 || start === 0) break;
    }
    const lastNl = tail.lastIndexOf('\n');
    const keep = lastNl + 1;
    const tornBytes = Buffer.byteLength(tail.slice(keep));
    if (tornBytes > 0) {
      await fh.truncate(size - tornBytes);
      await fh.sync();
      this.repairedBytes = tornBytes;
    }
    if (lastNl < 0) return undefined;
    const lines = tail.slice(0, lastNl).split('\n');
    const line = lines[lines.length - 1]!;
    const rec = parseRecord(line);
    if (rec === undefined) {
      throw new AuditLogError(
        `the last complete line of ${this.#options.path} is not an audit record; the file was damaged or edited: run \`omnicache audit verify ${this.#options.path}\` and restore it from a copy`,
      );
    }
    return { seq: rec.seq, hash: rec.hash };
  }

  checkCapacity(count: number): void {
    if (this.#fh === undefined) throw new AuditLogError(`${this.name} is not open`);
    if (this.#failed !== undefined) {
      throw new AuditLogError(`${this.name} failed earlier; reopen the audit log (it repairs the file)`, {
        cause: this.#failed,
      });
    }
    const max = this.#options.maxPending ?? 100_000;
    if (this.#pending + count > max) {
      throw new AuditLogError(
        `${this.name} has ${this.#pending} records waiting for the disk (maxPending ${max}): the disk is too slow or stalled; check it, or raise maxPending`,
      );
    }
  }

  write(records: readonly AuditRecord[]): Promise<void> {
    try {
      this.checkCapacity(records.length);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#pending += records.length;
    let text = '';
    for (const r of records) text += `${JSON.stringify(r)}\n`;
    const last = records[records.length - 1];
    const n = records.length;
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({
        text,
        resolve: () => {
          this.#pending -= n;
          if (last !== undefined) this.#last = { seq: last.seq, hash: last.hash };
          resolve();
        },
        reject: (error) => {
          this.#pending -= n;
          reject(error);
        },
      });
      if (!this.#flushing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    const fh = this.#fh!;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        let text = '';
        for (const p of batch) text += p.text;
        try {
          await fh.write(text);
          await fh.datasync();
        } catch (error) {
          this.#failed = error;
          const queued = this.#queue;
          this.#queue = [];
          for (const p of [...batch, ...queued])
            p.reject(new AuditLogError(`writing ${this.name} failed`, { cause: error }));
          return;
        }
        let n = 0;
        for (const p of batch) {
          p.resolve();
          n++;
        }
        this.#sinceCheckpoint += n;
        const cp = this.#options.checkpoints;
        if (cp !== undefined && this.#sinceCheckpoint >= (cp.everyRecords ?? 1000)) void this.#checkpoint();
      }
    } finally {
      this.#flushing = false;
    }
  }

  /** Writes (and fsyncs) a signed checkpoint for the last acknowledged record. */
  #checkpoint(): Promise<void> {
    const cp = this.#options.checkpoints;
    const fh = this.#cpFh;
    if (cp === undefined || fh === undefined) return Promise.resolve();
    this.#checkpointing = this.#checkpointing.then(async () => {
      const last = this.#last;
      if (last === undefined || this.#sinceCheckpoint === 0) return;
      this.#sinceCheckpoint = 0;
      const c = signCheckpoint(last.seq, last.hash, cp.key);
      try {
        await fh.write(`${JSON.stringify(c)}\n`);
        await fh.datasync();
      } catch {
        // A missed checkpoint weakens truncation detection until the next one; the records are unaffected.
      }
    });
    return this.#checkpointing;
  }

  /** Waits for queued writes, writes a final checkpoint, closes the files. */
  async close(): Promise<void> {
    while (this.#flushing || this.#queue.length > 0) await new Promise((r) => setImmediate(r));
    if (this.#checkpointTimer !== undefined) clearInterval(this.#checkpointTimer);
    if (this.#options.checkpoints !== undefined && this.#sinceCheckpoint > 0) await this.#checkpoint();
    await this.#checkpointing;
    await this.#cpFh?.close();
    await this.#fh?.close();
    this.#fh = undefined;
    this.#cpFh = undefined;
  }
}

export function jsonlAuditSink(options: JsonlAuditSinkOptions): JsonlAuditSink {
  return new JsonlAuditSink(options);
}
