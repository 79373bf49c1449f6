// Runs a command to completion, collecting its output; rejects with the output's tail when it fails.
import { spawn } from 'node:child_process';

export function runCollecting(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    child.stdout.on('data', (data) => (output += data));
    child.stderr.on('data', (data) => (output += data));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited ${code}\n${output.split('\n').slice(-30).join('\n')}`))));
  });
}
