// What a compose service's process starts with, and which .env files are mounted into it, following compose's rules:
// values are interpolated from the shell environment, then the project's .env; env_file entries come first (later
// files win) and `environment:` overrides them; a bare name takes its value from the same project environment and is
// left out when that has none (compose-go loader/resolve_environment_node.go).
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ComposeParseError, composeSubstitute, parseComposeDotenv, type ComposeLookup } from '../env/composeDotenv';
import { EnvFileError } from '../env/envErrors';
import { pythonDotenvValues } from '../env/pythonDotenv';
import { readTextFile } from '../envFile';
import type { ComposeServiceModel, ComposeVolumeEntry } from './composeModel';

export type Route = 'environment' | 'env_file';

export interface ContainerVariable {
  value: string;
  via: Route;
  line?: number;
  /** For `environment:`: the value as written (`${VAR}`), and the variables it reads. */
  template?: string;
  references: string[];
}

export interface MountedDotenv {
  /** The file on this machine, absolute. */
  source: string;
  /** Where the service sees it. */
  containerPath: string;
  exists: boolean;
  /** What python-dotenv's load_dotenv() reads from it (the container's own environment wins). */
  values: Map<string, string | undefined>;
  line?: number;
}

export interface ServiceRoutes {
  name: string;
  line?: number;
  variables: Map<string, ContainerVariable>;
  mounts: MountedDotenv[];
  /** Why compose would refuse, or what could not be read: one sentence each. */
  problems: { sentence: string; line?: number }[];
}

/** At most this much of any file named by env_file or mounted as a .env is read: far more than such a file holds. */
const ENV_LIMIT = { bytes: 1024 * 1024, what: 'env file' };
/** Distinct files one compose file may make us read: a hostile one could list the same big file thousands of times. */
export const MAX_ENV_FILES = 32;

type Read = { exists: boolean; text: string } | { error: string };

/** Each env file read once per compose file, and only so many of them. */
export class EnvFileReads {
  private readonly cache = new Map<string, Promise<Read>>();
  private left = MAX_ENV_FILES;

  /** `known`: files already read (the diagnosed .env, under its path and its real path), used as they are. */
  constructor(known: readonly (readonly [string, string])[] = []) {
    for (const [file, text] of known) this.cache.set(file, Promise.resolve({ exists: true, text }));
  }

  read(file: string): Promise<Read> {
    const cached = this.cache.get(file);
    if (cached) return cached;
    if (this.left-- <= 0) return Promise.resolve({ error: `${file} was not read: the compose file names more than ${MAX_ENV_FILES} env files.` });
    const read = readTextFile(file, ENV_LIMIT).catch((error: unknown): Read => {
      if (error instanceof EnvFileError) return { error: error.message };
      throw error;
    });
    this.cache.set(file, read);
    return read;
  }
}

/** Every variable a compose template reads: `$NAME`, `${NAME}`, `${NAME:-default}` (and those inside the default). */
export function templateReferences(template: string): string[] {
  const names = new Set<string>();
  const pattern = /\$\$|\$\{?([_A-Za-z][_A-Za-z0-9]*)/g;
  for (let match = pattern.exec(template); match; match = pattern.exec(template)) if (match[1]) names.add(match[1]);
  return [...names];
}

/** A short volume spec `SOURCE:TARGET[:MODE]`, with a Windows drive letter kept in SOURCE; undefined for a volume without a source. */
export function parseShortVolume(spec: string): { source: string; target: string } | undefined {
  const drive = /^[A-Za-z]:[\\/]/.test(spec) ? 2 : 0;
  const colon = spec.indexOf(':', drive);
  if (colon === -1) return undefined;
  const rest = spec.slice(colon + 1);
  const next = rest.indexOf(':');
  return { source: spec.slice(0, colon), target: next === -1 ? rest : rest.slice(0, next) };
}

/** A bind mount's source as compose reads it: `.`, `..`, `/`, `~` or a drive letter; anything else names a volume. */
function bindSource(source: string, composeDir: string, home: string): string | undefined {
  if (source.startsWith('~')) return path.join(home, source.slice(1));
  if (source.startsWith('.') || path.isAbsolute(source) || /^[A-Za-z]:[\\/]/.test(source)) return path.resolve(composeDir, source);
  return undefined;
}

export interface RouteInputs {
  composeDir: string;
  /** The interpolation environment: the shell first, then the project's .env (as compose reads it). */
  lookup: ComposeLookup;
  /** The diagnosed .env, absolute: a folder mounted with it inside counts as mounting it. */
  envFile?: string;
  home?: string;
  /** Shared by the services of one compose file. */
  reads: EnvFileReads;
}

function substitute(text: string, lookup: ComposeLookup, problems: ServiceRoutes['problems'], line: number | undefined, what: string): string | undefined {
  try {
    return composeSubstitute(text, lookup);
  } catch (error) {
    if (!(error instanceof ComposeParseError)) throw error;
    problems.push({ sentence: `docker compose refuses ${what}: ${error.reason}.`, line });
    return undefined;
  }
}

async function readEnvFileEntry(file: string, required: boolean, inputs: RouteInputs, problems: ServiceRoutes['problems'], line: number | undefined): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  const read = await inputs.reads.read(file);
  if ('error' in read) {
    problems.push({ sentence: read.error, line });
    return values;
  }
  if (!read.exists) {
    if (required) problems.push({ sentence: `env_file ${file} does not exist, so docker compose refuses to start the service.`, line });
    return values;
  }
  try {
    for (const [name, entry] of parseComposeDotenv(read.text, inputs.lookup)) values.set(name, entry.value);
  } catch (error) {
    if (!(error instanceof ComposeParseError)) throw error;
    problems.push({ sentence: `docker compose refuses env_file ${file} (${error.message}).`, line });
  }
  return values;
}

/** Where the diagnosed .env lands in the container through a bind mount (of the file itself, or of a folder holding it). */
async function mountedPath(source: string, target: string, envFile: string | undefined): Promise<{ file: string; containerPath: string } | undefined> {
  if (path.posix.basename(target) === '.env') return { file: source, containerPath: target };
  if (!envFile) return undefined;
  const real = await fs.realpath(source).catch(() => source);
  const relative = path.relative(real, envFile);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return { file: envFile, containerPath: path.posix.join(target, relative.split(path.sep).join('/')) };
}

async function mountsOf(volumes: readonly ComposeVolumeEntry[], inputs: RouteInputs, environ: Record<string, string>, problems: ServiceRoutes['problems']): Promise<MountedDotenv[]> {
  const byTarget = new Map<string, { file: string; containerPath: string; line?: number }>();
  for (const volume of volumes) {
    let source: string | undefined;
    let target: string | undefined;
    if (volume.kind === 'short') {
      const spec = substitute(volume.spec, inputs.lookup, problems, volume.line, 'a volume');
      const parsed = spec === undefined ? undefined : parseShortVolume(spec);
      source = parsed?.source;
      target = parsed?.target;
    } else if (volume.type === undefined || volume.type === 'bind') {
      source = volume.source === undefined ? undefined : substitute(volume.source, inputs.lookup, problems, volume.line, 'a volume');
      target = volume.target === undefined ? undefined : substitute(volume.target, inputs.lookup, problems, volume.line, 'a volume');
    }
    const hostPath = source === undefined ? undefined : bindSource(source, inputs.composeDir, inputs.home ?? os.homedir());
    if (!hostPath || !target) continue;
    byTarget.delete(target); // a later volume on the same target replaces the earlier one
    const mounted = await mountedPath(hostPath, target, inputs.envFile);
    if (mounted) byTarget.set(target, { ...mounted, line: volume.line });
  }
  const mounts: MountedDotenv[] = [];
  for (const mount of byTarget.values()) {
    const read = await inputs.reads.read(mount.file);
    if ('error' in read) problems.push({ sentence: read.error, line: mount.line });
    const { exists, text } = 'error' in read ? { exists: true, text: '' } : read;
    mounts.push({ source: mount.file, containerPath: mount.containerPath, exists, values: pythonDotenvValues(text, { interpolate: true, environ }), line: mount.line });
  }
  return mounts;
}

export async function serviceRoutes(service: ComposeServiceModel, inputs: RouteInputs): Promise<ServiceRoutes> {
  const problems: ServiceRoutes['problems'] = [];
  const variables = new Map<string, ContainerVariable>();
  for (const entry of service.envFiles) {
    const file = substitute(entry.path, inputs.lookup, problems, entry.line, 'an env_file path');
    if (file === undefined) continue;
    const values = await readEnvFileEntry(path.resolve(inputs.composeDir, file), entry.required, inputs, problems, entry.line);
    for (const [name, value] of values) variables.set(name, { value, via: 'env_file', line: entry.line, references: [] });
  }
  for (const entry of service.environment) {
    if (entry.value === null) {
      const value = inputs.lookup(entry.name);
      if (value === undefined) variables.delete(entry.name);
      else variables.set(entry.name, { value, via: 'environment', line: entry.line, template: entry.name, references: [entry.name] });
      continue;
    }
    const value = substitute(entry.value, inputs.lookup, problems, entry.line, `${entry.name} of service ${service.name}`);
    if (value !== undefined) variables.set(entry.name, { value, via: 'environment', line: entry.line, template: entry.value, references: templateReferences(entry.value) });
  }
  const environ = Object.fromEntries([...variables].map(([name, variable]) => [name, variable.value]));
  const mounts = await mountsOf(service.volumes, inputs, environ, problems);
  return { name: service.name, line: service.line, variables, mounts, problems };
}

/** A variable as the service's code reads it: its own environment, else the first mounted .env that sets it. */
export function readInService(routes: ServiceRoutes, name: string): { value: string; via: Route | 'mounted .env'; line?: number; mount?: MountedDotenv } | undefined {
  const own = routes.variables.get(name);
  if (own) return { value: own.value, via: own.via, line: own.line };
  for (const mount of routes.mounts) {
    const value = mount.values.get(name);
    if (value !== undefined) return { value, via: 'mounted .env', line: mount.line, mount };
  }
  return undefined;
}
