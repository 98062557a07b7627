import { PassThrough } from 'node:stream';
import { runCli } from '../../apps/cli/src/cli';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process, exactly as main.ts does, on `dataDir` (else on what `--data-dir` says). */
export async function cli(dataDir: string | undefined, ...argv: string[]): Promise<CliRun> {
  const capture = () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
  };
  const [stdout, stderr] = [capture(), capture()];
  const code = await runCli(argv, { stdout: stdout.stream, stderr: stderr.stream, env: dataDir === undefined ? {} : { DATA_DIR: dataDir } });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
