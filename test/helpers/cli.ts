import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';

const BIN = path.resolve(import.meta.dirname, '../../bin/kaifang.mjs');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `kaifang` command as a child process with only the given environment (plus PATH and HOME). */
export function kaifang(args: string[], env: Record<string, string>, input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** User errors are messages, never stack traces. */
export const noStackTrace = (r: Run): void => expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
