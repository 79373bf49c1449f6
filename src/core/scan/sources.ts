// Where the scanned text comes from: the files git would commit from the working tree (or every file of a folder
// that is not a repository), the staged blobs, and the lines the last commits added. Each reports skipped files.
import * as fsSync from 'node:fs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FileError } from '../errors';
import { SAFE_DIFF, failure, firstLine, runGit, streamGit, type GitOptions } from './git';
import { unquoteGitPath } from './git';
import { searchableText } from './text';
import type { FindingOrigin, SkippedFile } from './types';

/** A text to search: a byte string, and for history the file line each of its lines came from. */
export interface ScanDocument {
  file: string;
  text: string;
  origin: FindingOrigin;
  commit?: string;
  /** lineNumbers[i] is the file line of the document's line i + 1 (history: only added lines are searched). */
  lineNumbers?: number[];
}

export interface SourceSink {
  document(document: ScanDocument): void;
  skip(skipped: SkippedFile): void;
}

export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Folders a directory walk never enters: git's own data, and installed packages. */
const WALK_SKIPS = new Set(['.git', 'node_modules']);

const toSlash = (file: string) => file.split(path.sep).join('/');

/** Tracked files and untracked files git does not ignore, under `root`, relative to it. */
export async function gitWorktreeFiles(options: GitOptions): Promise<string[]> {
  const result = await runGit(['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--deduplicate'], options);
  if (result.code !== 0) throw failure(['ls-files'], `failed (${firstLine(result.stderr)})`);
  return result.stdout.toString('utf8').split('\0').filter(Boolean);
}

/** Every file under `root` except in .git and node_modules folders; symbolic links are reported, never followed. */
export async function walkFiles(root: string, signal: AbortSignal | undefined, sink: Pick<SourceSink, 'skip'>): Promise<string[]> {
  const files: string[] = [];
  const pending = [''];
  const slice = timeSlices();
  while (pending.length > 0) {
    await slice();
    signal?.throwIfAborted();
    const relative = pending.pop()!;
    let entries;
    try {
      entries = fsSync.readdirSync(path.join(root, relative), { withFileTypes: true });
    } catch {
      sink.skip({ file: toSlash(relative) || '.', reason: 'unreadable', origin: 'worktree' });
      continue;
    }
    for (const entry of entries) {
      const child = relative ? path.join(relative, entry.name) : entry.name;
      if (entry.isDirectory()) {
        if (!WALK_SKIPS.has(entry.name)) pending.push(child);
      } else if (entry.isFile()) {
        files.push(toSlash(child));
      } else {
        sink.skip({ file: toSlash(child), reason: entry.isSymbolicLink() ? 'symlink' : 'not-a-file', origin: 'worktree' });
      }
    }
  }
  return files.sort();
}

/**
 * Synchronous file system calls are several times faster than promises for thousands of small files; this lets
 * the event loop run (progress, cancellation, the rest of the extension host) once every SLICE_MS of them.
 */
function timeSlices(): () => Promise<void> {
  let sliceStart = performance.now();
  return async () => {
    if (performance.now() - sliceStart < SLICE_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    sliceStart = performance.now();
  };
}

export interface ReadOptions {
  maxFileBytes: number;
  signal?: AbortSignal;
  /** Absolute paths never read (the .env the known values came from, in a directory walk). */
  exclude?: ReadonlySet<string>;
  onFile?: () => void;
}

/** Open flags: never through a symbolic link, and never waiting on a FIFO that took a file's place. */
const OPEN_FLAGS = fsSync.constants.O_RDONLY | (fsSync.constants.O_NOFOLLOW ?? 0) | (fsSync.constants.O_NONBLOCK ?? 0);
/** How long reading may hold the event loop before it lets progress, cancellation and other work through. */
const SLICE_MS = 15;

/** A buffer reused for every file read (the text is copied out of it before the next read). */
class Scratch {
  private buffer = Buffer.allocUnsafe(1024 * 1024);

  get(size: number): Buffer {
    if (this.buffer.length < size) this.buffer = Buffer.allocUnsafe(Math.max(size, this.buffer.length * 2));
    return this.buffer;
  }
}

/**
 * Reads one file whole through an open descriptor, into `scratch`: its type and size come from the same
 * descriptor. Returns the bytes (valid until the next read), a reason to skip it, or undefined when it is gone.
 */
function readFileAt(full: string, maxBytes: number, scratch: Scratch): Buffer | SkippedFile['reason'] | undefined {
  let fd: number;
  try {
    if (!fsSync.constants.O_NOFOLLOW && fsSync.lstatSync(full).isSymbolicLink()) return 'symlink';
    fd = fsSync.openSync(full, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Tracked but deleted: the deletion is what will be committed.
    if (code === 'ENOENT') return undefined;
    return code === 'ELOOP' ? 'symlink' : 'unreadable';
  }
  try {
    const stat = fsSync.fstatSync(fd);
    if (!stat.isFile()) return 'not-a-file';
    if (stat.size > maxBytes) return 'too-large';
    // One byte more than the size says, to notice a file that grew while it was read.
    const bytes = scratch.get(stat.size + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length < stat.size + 1; length += read) read = fsSync.readSync(fd, bytes, length, stat.size + 1 - length, null);
    return length > maxBytes ? 'too-large' : bytes.subarray(0, length);
  } catch {
    return 'unreadable';
  } finally {
    fsSync.closeSync(fd);
  }
}

/**
 * Reads working-tree files and hands each text to the sink. Symbolic links are not followed (git commits the link,
 * not its target), and a file whose folder resolves outside `root` is not read. Reads are synchronous, in time
 * slices.
 */
export async function readWorktree(root: string, files: readonly string[], options: ReadOptions, sink: SourceSink): Promise<void> {
  const realRoot = fsSync.realpathSync.native(root);
  const folders = new Map<string, boolean>();
  const inside = (folder: string) => {
    let known = folders.get(folder);
    if (known === undefined) {
      try {
        const real = fsSync.realpathSync.native(path.join(root, folder));
        known = real === realRoot || real.startsWith(realRoot + path.sep);
      } catch {
        known = false;
      }
      folders.set(folder, known);
    }
    return known;
  };
  const scratch = new Scratch();
  const readOne = (file: string): void => {
    const full = path.join(root, file);
    const skip = (reason: SkippedFile['reason']) => sink.skip({ file, reason, origin: 'worktree' });
    if (options.exclude?.has(full)) return skip('env-file');
    if (!inside(path.dirname(file))) return skip('outside-folder');
    const bytes = readFileAt(full, options.maxFileBytes, scratch);
    if (bytes === undefined) return;
    if (typeof bytes === 'string') return skip(bytes);
    const text = searchableText(bytes);
    if (text === undefined) return skip('binary');
    sink.document({ file, text, origin: 'worktree' });
  };
  const slice = timeSlices();
  for (const file of files) {
    await slice();
    options.signal?.throwIfAborted();
    readOne(file);
    options.onFile?.();
  }
}

interface StagedEntry { file: string; blob: string; mode: string }

/** What the next commit will hold: the staged blob of every added or modified file (through GIT_INDEX_FILE too). */
export async function readStaged(options: GitOptions & { maxFileBytes: number; onFile?: () => void }, sink: SourceSink): Promise<number> {
  const listed = await runGit(['diff', '--cached', '--raw', '-z', '--no-abbrev', '--diff-filter=AMT', ...SAFE_DIFF], options);
  if (listed.code !== 0) throw failure(['diff'], `failed (${firstLine(listed.stderr)})`);
  const fields = listed.stdout.toString('utf8').split('\0');
  const entries: StagedEntry[] = [];
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const [, mode, , blob] = fields[index].replace(/^:/, '').split(' ');
    if (blob) entries.push({ file: fields[index + 1], blob, mode });
  }
  const wanted = entries.filter((entry) => {
    if (entry.mode !== '160000') return true;
    sink.skip({ file: entry.file, reason: 'submodule', origin: 'staged' });
    return false;
  });
  const byBlob = new Map<string, string[]>();
  for (const entry of wanted) byBlob.set(entry.blob, [...(byBlob.get(entry.blob) ?? []), entry.file]);
  if (byBlob.size === 0) return 0;
  const reader = new BatchReader(options.maxFileBytes, (blob, bytes) => {
    for (const file of byBlob.get(blob) ?? []) {
      const text = bytes && searchableText(bytes);
      if (!bytes) sink.skip({ file, reason: 'too-large', origin: 'staged' });
      else if (text === undefined) sink.skip({ file, reason: 'binary', origin: 'staged' });
      else sink.document({ file, text, origin: 'staged' });
      options.onFile?.();
    }
  });
  const result = await streamGit(['cat-file', '--batch'], { ...options, input: [...byBlob.keys()].join('\n') + '\n' }, (chunk) => reader.push(chunk));
  if (result.code !== 0) throw failure(['cat-file'], `failed (${firstLine(result.stderr)})`);
  return wanted.length;
}

/** Parses `git cat-file --batch` output as it streams: "<id> blob <size>\n<bytes>\n" per object. */
class BatchReader {
  private pending: Buffer = Buffer.alloc(0);
  private current?: { blob: string; size: number; chunks: Buffer[]; received: number; keep: boolean };

  constructor(private readonly maxBytes: number, private readonly onBlob: (blob: string, bytes: Buffer | undefined) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    for (;;) {
      if (!this.current) {
        const end = this.pending.indexOf(10);
        if (end === -1) return;
        const [blob, type, size] = this.pending.subarray(0, end).toString('latin1').split(' ');
        this.pending = this.pending.subarray(end + 1);
        if (type === 'missing' || size === undefined) continue;
        const bytes = Number(size);
        this.current = { blob, size: bytes, chunks: [], received: 0, keep: bytes <= this.maxBytes };
      }
      const current = this.current;
      // The object's bytes, then one newline.
      const take = Math.min(current.size - current.received, this.pending.length);
      if (current.keep && take > 0) current.chunks.push(this.pending.subarray(0, take));
      current.received += take;
      this.pending = this.pending.subarray(take);
      if (current.received < current.size || this.pending.length === 0) return;
      this.pending = this.pending.subarray(1);
      this.current = undefined;
      this.onBlob(current.blob, current.keep ? Buffer.concat(current.chunks) : undefined);
    }
  }
}

/**
 * The lines each of the last `count` commits on HEAD added, one document per commit and file. Commits are walked
 * with `git log -p`, which never shows merge commits' changes (their parents' commits do).
 */
export async function readHistory(options: GitOptions & { count: number; onFile?: () => void }, sink: SourceSink): Promise<number> {
  const head = await runGit(['rev-parse', '--verify', '-q', 'HEAD'], options);
  if (head.code !== 0) return 0;
  const parser = new LogParser(sink, options.onFile);
  const result = await streamGit(['log', '-p', '-U0', '--no-show-signature', `--max-count=${options.count}`, '--format=format:%x00%H', ...SAFE_DIFF, 'HEAD', '--'], options, (chunk) => parser.push(chunk));
  if (result.code !== 0) throw failure(['log'], `failed (${firstLine(result.stderr)})`);
  parser.end();
  return parser.commits;
}

/** Reads `git log -p -U0` line by line, collecting each file's added lines with their line numbers. */
class LogParser {
  commits = 0;
  private partial = '';
  private commit = '';
  private file?: string;
  private binary = false;
  private inHunk = false;
  private newLine = 0;
  private lines: string[] = [];
  private numbers: number[] = [];

  constructor(private readonly sink: SourceSink, private readonly onFile?: () => void) {}

  push(chunk: Buffer): void {
    const text = this.partial + chunk.toString('latin1');
    const lines = text.split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) this.line(line);
  }

  end(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
    this.flush();
  }

  private line(line: string): void {
    if (line.startsWith('\0')) {
      this.flush();
      this.commit = line.slice(1).trim();
      this.commits++;
      this.file = undefined;
      return;
    }
    if (line.startsWith('diff --git ')) {
      this.flush();
      this.file = undefined;
      this.binary = false;
      this.inHunk = false;
      return;
    }
    if (this.inHunk) {
      if (line.startsWith('+')) {
        this.lines.push(line.slice(1));
        this.numbers.push(this.newLine++);
        return;
      }
      if (line.startsWith(' ')) {
        this.newLine++;
        return;
      }
      if (line.startsWith('-') || line.startsWith('\\')) return;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (hunk && this.file !== undefined) {
      this.inHunk = true;
      this.newLine = Number(hunk[1]);
      return;
    }
    if (line.startsWith('+++ ')) {
      const name = line.slice(4).replace(/\t$/, '');
      this.file = name === '/dev/null' ? undefined : unquoteGitPath(name).replace(/^b\//, '');
    } else if (line.startsWith('Binary files ') && / differ$/.test(line)) {
      const target = / and (.+) differ$/.exec(line)?.[1];
      if (target && target !== '/dev/null') this.sink.skip({ file: unquoteGitPath(target).replace(/^b\//, ''), reason: 'binary', origin: 'commit', commit: this.commit });
      this.binary = true;
    }
  }

  private flush(): void {
    if (this.file !== undefined && !this.binary && this.lines.length > 0) {
      this.sink.document({ file: this.file, text: this.lines.join('\n'), origin: 'commit', commit: this.commit, lineNumbers: this.numbers });
      this.onFile?.();
    }
    this.lines = [];
    this.numbers = [];
    this.inHunk = false;
  }
}

/** A folder to scan must exist and be a folder. */
export async function requireFolder(folder: string): Promise<void> {
  let stat;
  try {
    stat = await fs.stat(folder);
  } catch {
    throw new FileError(`${folder} does not exist.`);
  }
  if (!stat.isDirectory()) throw new FileError(`${folder} is not a folder.`);
}
