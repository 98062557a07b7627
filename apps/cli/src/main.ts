import { runCli } from './cli';

// The auditor's and operator's commands (replay, export, verify): `npm run cli -- --help`.
runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  },
);
