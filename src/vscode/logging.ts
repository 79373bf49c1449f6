// The log channel is the first thing activate() creates; every line reaches it through the redactor.
import * as vscode from 'vscode';
import type { LogLevel, LogSink } from '../core/ports';
import { Redactor, RedactingLogger } from '../core/redact';

export function createLogging(): { channel: vscode.LogOutputChannel; redactor: Redactor; logger: RedactingLogger } {
  const channel = vscode.window.createOutputChannel('Crucible Keys', { log: true });
  const sink: LogSink = {
    write(level: LogLevel, line: string): void {
      channel[level](line);
    },
  };
  const redactor = new Redactor();
  return { channel, redactor, logger: new RedactingLogger(sink, redactor) };
}
