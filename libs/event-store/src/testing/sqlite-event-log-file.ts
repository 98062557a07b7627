/**
 * Direct access to the rows of a SQLite event log, bypassing the store: what an attacker (or a
 * careless operator) with the file could do. For tamper-evidence tests only.
 */
import Database from 'better-sqlite3';

export interface EventRowView {
  readonly position: number;
  readonly streamId: string;
  readonly revision: number;
  readonly eventId: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
}

export class SqliteEventLogFile {
  private constructor(private readonly db: Database.Database) {}

  /** Opens the file beside any running store (WAL lets a second connection write, waiting for locks). */
  static open(file: string): SqliteEventLogFile {
    const db = new Database(file, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return new SqliteEventLogFile(db);
  }

  rows(): EventRowView[] {
    return this.db
      .prepare<[], { position: number; stream_id: string; revision: number; event_id: string; type: string; data: string; metadata: string }>(
        'SELECT position, stream_id, revision, event_id, type, data, metadata FROM events ORDER BY position',
      )
      .all()
      .map((row) => ({
        position: row.position,
        streamId: row.stream_id,
        revision: row.revision,
        eventId: row.event_id,
        type: row.type,
        data: JSON.parse(row.data) as Record<string, unknown>,
        metadata: JSON.parse(row.metadata) as Record<string, unknown>,
      }));
  }

  setData(position: number, data: Record<string, unknown>): void {
    this.expectOneRow(this.db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify(data), position).changes, position);
  }

  setMetadata(position: number, metadata: Record<string, unknown>): void {
    this.expectOneRow(this.db.prepare('UPDATE events SET metadata = ? WHERE position = ?').run(JSON.stringify(metadata), position).changes, position);
  }

  /** Appends a row as another process would, chain or not; returns its position. */
  insertRow(row: Omit<EventRowView, 'position'>): number {
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(row.streamId, row.revision, row.eventId, row.type, JSON.stringify(row.data), JSON.stringify(row.metadata), new Date().toISOString());
    return Number(lastInsertRowid);
  }

  setRecordedAt(position: number, recordedAt: string): void {
    this.expectOneRow(this.db.prepare('UPDATE events SET recorded_at = ? WHERE position = ?').run(recordedAt, position).changes, position);
  }

  deleteRow(position: number): void {
    this.expectOneRow(this.db.prepare('DELETE FROM events WHERE position = ?').run(position).changes, position);
  }

  /** Exchanges the positions (commit order) of two rows; each keeps its stream, revision and content. */
  swapPositions(first: number, second: number): void {
    const move = this.db.prepare('UPDATE events SET position = ? WHERE position = ?');
    this.db.transaction(() => {
      this.expectOneRow(move.run(-1, first).changes, first);
      this.expectOneRow(move.run(first, second).changes, second);
      move.run(second, -1);
    })();
  }

  /** Exchanges the content (type, data, metadata, id) of two rows; positions and revisions stay. */
  swapContents(first: number, second: number): void {
    const read = this.db.prepare<[number], { event_id: string; type: string; data: string; metadata: string }>(
      'SELECT event_id, type, data, metadata FROM events WHERE position = ?',
    );
    const write = this.db.prepare('UPDATE events SET event_id = ?, type = ?, data = ?, metadata = ? WHERE position = ?');
    this.db.transaction(() => {
      const [a, b] = [read.get(first), read.get(second)];
      if (!a || !b) throw new Error(`No event at position ${a ? second : first}`);
      write.run(`swap-${a.event_id}`, a.type, a.data, a.metadata, second);
      write.run(b.event_id, b.type, b.data, b.metadata, first);
      this.db.prepare('UPDATE events SET event_id = ? WHERE position = ?').run(a.event_id, second);
    })();
  }

  /** Sets the AUTOINCREMENT counter, as someone hiding deleted rows at the end of the log would. */
  setSequence(position: number): void {
    this.db.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'events'").run(position);
  }

  close(): void {
    this.db.close();
  }

  private expectOneRow(changes: number, position: number): void {
    if (changes !== 1) throw new Error(`No event at position ${position}`);
  }
}
