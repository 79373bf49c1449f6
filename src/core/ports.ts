// Small interfaces the core depends on, so that callers inject the real thing and tests inject fakes.

/** Wall-clock source, in milliseconds since the Unix epoch. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** Where finished, already-redacted log lines go (an OutputChannel, stderr, an array in tests). */
export interface LogSink {
  write(level: LogLevel, line: string): void;
}

export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

/** A string-to-string secret store (VS Code SecretStorage, or a Map in tests). */
export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every entry name this extension stored (VS Code 1.105's SecretStorage.keys()). */
  keys(): Promise<string[]>;
}

/** Non-secret persistent state (VS Code's globalState, or a Map in tests). */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}
