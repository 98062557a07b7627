import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { accountStream } from '@scim/domain';
import { writeNdjson } from '@scim/event-store/ndjson';
import { CliError, type DataFiles, openEventLog, openOpenedEventLog } from '../data-dir';
import { formatCount, type ProgressOutput } from '../progress';

/**
 * Writes every event of an account (metadata.accountId) as NDJSON, in commit order, with its hash
 * chain link. Personal fields are opened (an erased person's read `[erased]`); `asStored` writes
 * the sealed bytes instead, which the links vouch for, so such an export can be checked against the
 * log later. Streamed: one batch in memory. To a file, it appears under its name only once complete.
 */
export async function exportAccount(
  files: DataFiles,
  accountId: string,
  outFile: string | undefined,
  stdout: Writable,
  stderr: ProgressOutput,
  options: { readonly asStored?: boolean } = {},
): Promise<number> {
  const log = options.asStored ? openEventLog(files) : openOpenedEventLog(files);
  try {
    if ((await log.streamRevision(accountStream(accountId))) < 0) {
      throw new CliError(`No account ${accountId} in ${files.eventLog}`);
    }
    const partial = outFile ? `${outFile}.partial` : undefined;
    const out = partial ? createWriteStream(partial, { mode: 0o600 }) : stdout;
    let events = 0;
    const counted = (event: unknown) => {
      events++;
      return event;
    };
    try {
      const complete = await writeNdjson(out, log.readAllMatching({ metadata: { accountId }, batchSize: 1_000 }), counted);
      if (!complete) throw new CliError('The output closed before the export was complete');
      if (partial && outFile) {
        out.end();
        await finished(out);
        renameSync(partial, outFile);
      }
    } catch (error) {
      if (partial) {
        out.destroy();
        rmSync(partial, { force: true });
      }
      throw error;
    }
    stderr.write(`Exported ${formatCount(events)} events of account ${accountId}${outFile ? ` to ${outFile}` : ''}\n`);
    return 0;
  } finally {
    await log.close();
  }
}
