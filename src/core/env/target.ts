// What a .env path really is, without writing anything: the file behind any symlink, its kind, whether it is
// read-only, and whether a symlink leads out of its own folder. The extension asks its questions from this.
import { constants, promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { errnoCode } from './envErrors';

export type EnvTargetKind =
  | 'missing' | 'regular' | 'directory' | 'fifo' | 'socket' | 'char-device' | 'block-device'
  | 'dangling-symlink' | 'symlink-loop' | 'missing-folder' | 'not-a-folder' | 'inaccessible';

export interface EnvTargetInfo {
  /** The path asked for, made absolute. */
  requestedPath: string;
  /** The file itself, every symlink resolved (for a missing file: its real folder and its name). */
  realPath: string;
  /** True when the requested path itself is a symbolic link. */
  isSymlink: boolean;
  /** The link's text, when it is a symlink. */
  linkTarget?: string;
  kind: EnvTargetKind;
  /** For a dangling symlink: the path that does not exist. */
  danglingTarget?: string;
  /** True for a file no one may write (no write bit) or that this process may not write. */
  readOnly: boolean;
  /** For a symlink: the link's own (real) folder, when the file it leads to is outside it. */
  outsideFolderOf?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  nlink?: number;
}

const MAX_HOPS = 40;

export function kindOf(stat: Stats): EnvTargetKind {
  if (stat.isFile()) return 'regular';
  if (stat.isDirectory()) return 'directory';
  if (stat.isFIFO()) return 'fifo';
  if (stat.isSocket()) return 'socket';
  if (stat.isCharacterDevice()) return 'char-device';
  if (stat.isBlockDevice()) return 'block-device';
  return 'inaccessible';
}


/** Inspects a .env target without writing or opening it for reading: safe on FIFOs and devices. */
export async function inspectEnvTarget(filePath: string): Promise<EnvTargetInfo> {
  const requestedPath = path.resolve(filePath);
  const base: EnvTargetInfo = { requestedPath, realPath: requestedPath, isSymlink: false, kind: 'missing', readOnly: false };
  let link: Stats;
  try {
    link = await fs.lstat(requestedPath);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return missing(base);
    if (errnoCode(error) === 'ENOTDIR') return { ...base, kind: 'not-a-folder' };
    return { ...base, kind: errnoCode(error) === 'ELOOP' ? 'symlink-loop' : 'inaccessible' };
  }
  const info: EnvTargetInfo = { ...base, isSymlink: link.isSymbolicLink() };
  if (info.isSymlink) {
    info.linkTarget = await fs.readlink(requestedPath);
    try {
      info.realPath = await fs.realpath(requestedPath);
    } catch (error) {
      if (errnoCode(error) === 'ELOOP') return { ...info, kind: 'symlink-loop' };
      if (errnoCode(error) !== 'ENOENT' && errnoCode(error) !== 'ENOTDIR') return { ...info, kind: 'inaccessible' };
      const danglingTarget = await finalHop(requestedPath);
      return { ...info, kind: 'dangling-symlink', danglingTarget, outsideFolderOf: await outside(requestedPath, danglingTarget) };
    }
    info.outsideFolderOf = await outside(requestedPath, info.realPath);
  } else {
    info.realPath = path.join(await fs.realpath(path.dirname(requestedPath)), path.basename(requestedPath));
  }
  const stat = info.isSymlink ? await fs.stat(info.realPath) : link;
  Object.assign(info, { kind: kindOf(stat), mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid, size: stat.size, nlink: stat.nlink });
  if (info.kind === 'regular') info.readOnly = await isReadOnly(info.realPath, stat);
  return info;
}

async function missing(info: EnvTargetInfo): Promise<EnvTargetInfo> {
  const folder = path.dirname(info.requestedPath);
  try {
    const real = await fs.realpath(folder);
    if (!(await fs.stat(real)).isDirectory()) return { ...info, kind: 'not-a-folder' };
    return { ...info, realPath: path.join(real, path.basename(info.requestedPath)) };
  } catch (error) {
    return { ...info, kind: errnoCode(error) === 'ENOTDIR' ? 'not-a-folder' : 'missing-folder' };
  }
}

/** Follows a chain of links by hand to name the path that is missing at its end. */
async function finalHop(start: string): Promise<string> {
  let current = start;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    try {
      const stat = await fs.lstat(current);
      if (!stat.isSymbolicLink()) return current;
      current = path.resolve(path.dirname(current), await fs.readlink(current));
    } catch {
      return current;
    }
  }
  return current;
}

/** The link's real folder when `target` lies outside it; undefined when inside. */
async function outside(link: string, target: string): Promise<string | undefined> {
  const folder = await fs.realpath(path.dirname(link));
  const relative = path.relative(folder, target);
  return relative.startsWith('..') || path.isAbsolute(relative) ? folder : undefined;
}

/** No write bit at all, or no write permission for this process (root passes access(), so the bits count too). */
export async function isReadOnly(file: string, stat: Stats): Promise<boolean> {
  if ((stat.mode & 0o222) === 0) return true;
  try {
    await fs.access(file, constants.W_OK);
    return false;
  } catch {
    return true;
  }
}

const KIND_WORDS: Partial<Record<EnvTargetKind, string>> = {
  fifo: 'a named pipe (FIFO)', socket: 'a socket', 'char-device': 'a character device', 'block-device': 'a block device',
};

/** The sentence refusing a target that is not a regular file (or a missing one in an existing folder); undefined if fine. */
export function targetProblem(info: EnvTargetInfo): string | undefined {
  const shown = info.requestedPath;
  switch (info.kind) {
    case 'missing':
    case 'regular':
      return undefined;
    case 'dangling-symlink':
      return `${shown} is a symbolic link to ${info.danglingTarget}, which does not exist; create that file or point the link elsewhere.`;
    case 'symlink-loop':
      return `${shown} is a symbolic link that loops back on itself.`;
    case 'missing-folder':
      return `The folder ${path.dirname(shown)} does not exist.`;
    case 'not-a-folder':
      return `${path.dirname(shown)} is not a folder.`;
    case 'directory':
      return `${shown} is a folder, not a .env file.`;
    case 'inaccessible':
      return `${shown} cannot be examined: permission denied.`;
    default:
      return `${shown} is ${KIND_WORDS[info.kind]}, not a regular file; only regular .env files are read or edited.`;
  }
}
