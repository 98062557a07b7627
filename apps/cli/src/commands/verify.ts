import { type ChainProblem, type ChainVerification, verifyChain } from '@scim/event-store/hash-chain';
import { type DataFiles, openEventLog } from '../data-dir';
import { formatCount, ProgressBar, type ProgressOutput } from '../progress';

export interface VerifyOptions {
  /** Hashes recorded earlier (e.g. the last seal's): each must still be in the log. */
  readonly anchors: readonly string[];
  readonly json: boolean;
  readonly maxProblems: number;
}

/**
 * Checks the hash chain of every stream, the seals and the positions of the event log
 * (docs/TAMPER-EVIDENCE.md). Exit code 1 names the first bad event.
 */
export async function verify(files: DataFiles, options: VerifyOptions, stdout: ProgressOutput, stderr: ProgressOutput): Promise<number> {
  const log = openEventLog(files);
  try {
    const bar = new ProgressBar(stderr, 'verify');
    const result = await verifyChain(log, { anchors: options.anchors, maxProblems: options.maxProblems, onProgress: (progress) => bar.update(progress) });
    bar.finish();
    stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : describe(result, files.eventLog));
    return result.ok ? 0 : 1;
  } finally {
    await log.close();
  }
}

function describe(result: ChainVerification, file: string): string {
  const lines: string[] = [];
  const rate = result.seconds > 0 ? result.events / result.seconds : 0;
  lines.push(
    `Checked ${formatCount(result.events)} events in ${formatCount(result.streams)} streams of ${file} in ${result.seconds.toFixed(1)} s (${formatCount(rate)} events/s).`,
  );
  const { seals } = result;
  lines.push(
    seals.count > 0
      ? `${formatCount(seals.count)} seal(s) cover positions up to ${formatCount(seals.sealedThrough)}; ${formatCount(seals.unsealedEvents)} later event(s) are protected by their stream's chain only.`
      : 'No seals: only each stream\'s chain protects the log (deleting whole streams or the last events of a stream would go unnoticed).',
  );
  if (!result.positionsChecked) lines.push('Positions are not consecutive in this store: deleted events are found by the chains and seals only.');
  if (result.ok) {
    lines.push('OK: no event was changed, removed or reordered.');
    if (seals.last) {
      lines.push(`Anchor: ${seals.last.hash} (seal at position ${seals.last.position}). Keep it outside this machine; pass it as --anchor to later runs.`);
    }
  } else {
    const first = result.firstProblem as ChainProblem;
    lines.push(`FAILED: ${formatCount(result.problemCount)} problem(s). The first bad event:`);
    lines.push(`  [${first.kind}] ${first.reason}`);
    const others = result.problems.slice(1);
    if (others.length > 0) {
      lines.push('Then:');
      for (const problem of others) lines.push(`  [${problem.kind}] ${problem.reason}`);
    }
    if (result.problemCount > result.problems.length) lines.push(`  … and ${formatCount(result.problemCount - result.problems.length)} more (--max-problems)`);
  }
  return `${lines.join('\n')}\n`;
}
