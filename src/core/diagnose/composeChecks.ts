// The compose files beside the .env: for each service that deals in provider keys, which provider variables reach it
// (through `environment:`, `env_file:` or a mounted .env read by load_dotenv()), which do not, and which arrive under
// a name the backend never reads. In Crucible's own compose file the API gets every .env variable through its
// ./.env mount, while the worker gets only what `environment:` lists, with Eden AI's key as ROUNDTABLE_EDEN_AI_KEY.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ProviderInfo } from '../catalog';
import { ComposeParseError, parseComposeDotenv, type ComposeLookup } from '../env/composeDotenv';
import { EnvFileError } from '../env/envErrors';
import { readTextFile } from '../envFile';
import { ENCRYPTION_KEY_VAR } from '../passphrase';
import type { ComposeModel } from './composeModel';
import { EnvFileReads, readInService, serviceRoutes, type ServiceRoutes } from './composeRoutes';
import { masked, type DiagnoseContext, type ProviderView } from './context';
import type { DiagnoseCheck, DiagnoseFix } from './types';

/** Compose's own file names first, in the order it picks them, then variants such as docker-compose.prod.yml. */
const COMPOSE_FILE = /^(?:docker-)?compose(?:\.[A-Za-z0-9_-]+)?\.ya?ml$/;
const DEFAULT_ORDER = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
export const MAX_COMPOSE_FILES = 5;
/** Services analysed per file: more than any real deployment has, fewer than would drown the report. */
export const MAX_SERVICES = 200;
/** Compose's own rule for a service name. */
const SERVICE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** Larger than any compose file; the YAML parser's time grows fast with size, so a bigger one is not read. */
export const MAX_COMPOSE_BYTES = 256 * 1024;

export async function findComposeFiles(folder: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await fs.readdir(folder, { withFileTypes: true })).filter((entry) => !entry.isDirectory() && COMPOSE_FILE.test(entry.name)).map((entry) => entry.name);
  } catch {
    return []; // no folder, no compose file: nothing to analyse
  }
  const rank = (name: string) => (DEFAULT_ORDER.includes(name) ? DEFAULT_ORDER.indexOf(name) : DEFAULT_ORDER.length);
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).slice(0, MAX_COMPOSE_FILES).map((name) => path.join(folder, name));
}

/** Compose interpolates from the shell environment first, then the .env of the compose file's folder (its own reading). */
async function interpolationLookup(context: DiagnoseContext, composeDir: string): Promise<ComposeLookup> {
  const environment = context.input.environment;
  const dotenvPath = path.join(composeDir, '.env');
  let text = '';
  if (context.env && context.envFile && path.dirname(context.envFile) === composeDir) text = context.env.text;
  else text = (await readTextFile(dotenvPath, { bytes: 32 * 1024 * 1024, what: '.env file' }).catch((error: unknown) => { if (error instanceof EnvFileError) return { text: '' }; throw error; })).text;
  let values = new Map<string, string>();
  try {
    const fromEnvironment: ComposeLookup = (name) => (Object.hasOwn(environment, name) ? environment[name] : undefined);
    values = new Map([...parseComposeDotenv(text, fromEnvironment)].map(([name, entry]) => [name, entry.value]));
  } catch (error) {
    if (!(error instanceof ComposeParseError)) throw error; // reported by the .env readers' check
  }
  return (name) => (Object.hasOwn(environment, name) && environment[name] !== undefined ? environment[name] : values.get(name));
}

interface FileScope {
  context: DiagnoseContext;
  file: string;
  shown: string;
  routes: ServiceRoutes[];
  allReadVars: Set<string>;
}

const openAt = (scope: FileScope, line?: number): DiagnoseFix => ({ kind: 'openFile', file: scope.file, line });

function describeRoute(via: string, variable: string, mount?: { containerPath: string }): string {
  return via === 'mounted .env' ? `${variable} from the .env mounted at ${mount!.containerPath} (read by load_dotenv())` : `${variable} through ${via}:`;
}

/** Variables of `environment:` whose value reads a provider's variable but whose name no provider reads. */
function misnamed(scope: FileScope, routes: ServiceRoutes, provider: ProviderInfo): { name: string; line?: number }[] {
  return [...routes.variables].filter(([name, variable]) => !scope.allReadVars.has(name) && variable.references.some((reference) => provider.readVars.includes(reference)))
    .map(([name, variable]) => ({ name, line: variable.line }));
}

function providerCheck(scope: FileScope, routes: ServiceRoutes, view: ProviderView): DiagnoseCheck | undefined {
  const { provider } = view;
  const id = `compose.service:${scope.shown}:${routes.name}:${provider.id}`;
  const configured = view.key !== undefined;
  const reads = provider.readVars.map((variable) => ({ variable, found: readInService(routes, variable) }));
  const used = reads.find((read) => read.found && read.found.value !== '');
  const wrong = misnamed(scope, routes, provider);
  const others = reads.filter((read) => read.found && read !== used).map((read) => `Also ${read.found!.value === '' ? 'empty: ' : ''}${describeRoute(read.found!.via, read.variable, read.found!.mount)}.`);
  const wrongLine = wrong.length ? `It also passes ${wrong.map((item) => item.name).join(', ')}, a name the backend never reads.` : undefined;
  if (used) {
    const found = used.found!;
    return {
      id, provider: provider.id, severity: 'ok',
      title: `${routes.name} gets the ${provider.label} key (${masked(scope.context, found.value)}) as ${describeRoute(found.via, used.variable, found.mount)}.`,
      detail: [...others, ...(wrongLine ? [wrongLine] : [])],
    };
  }
  const readsList = `it reads ${provider.readVars.join(' or ')}`;
  if (wrong.length) {
    return {
      id, provider: provider.id, severity: configured ? 'problem' : 'warning',
      title: `${routes.name} gets the ${provider.label} key only as ${wrong.map((item) => item.name).join(', ')}, a name the backend never reads (${readsList}).`,
      detail: [...others, ...(configured ? [] : [`No ${provider.label} key is set now, so nothing is lost yet.`])],
      fix: openAt(scope, wrong[0].line),
    };
  }
  if (!configured) return undefined;
  return {
    id, provider: provider.id, severity: 'problem',
    title: `${routes.name} does not get the ${provider.label} key: ${provider.readVars.join(' and ')} ${provider.readVars.length > 1 ? 'are' : 'is'} not in its environment:, env_file: or a mounted .env${reads.some((read) => read.found) ? ' with a value' : ''}.`,
    detail: [...others, `Add ${provider.writeVar}: \${${provider.writeVar}} to its environment: (or mount the .env) so that ${readsList}.`],
    fix: openAt(scope, routes.line),
  };
}

function passphraseCheck(scope: FileScope, routes: ServiceRoutes, configured: boolean): DiagnoseCheck | undefined {
  const found = readInService(routes, ENCRYPTION_KEY_VAR);
  const id = `compose.passphrase:${scope.shown}:${routes.name}`;
  if (found && found.value !== '') return { id, severity: 'ok', title: `${routes.name} gets ${describeRoute(found.via, ENCRYPTION_KEY_VAR, found.mount)}.` };
  if (!configured) return undefined;
  return {
    id, severity: 'problem',
    title: `${routes.name} does not get ${ENCRYPTION_KEY_VAR}, so it would fall back to Crucible's development passphrase and could not read the keys stored under the real one.`,
    fix: openAt(scope, routes.line),
  };
}

/** A service deals in keys when any provider variable, a misnamed one or the passphrase reaches it. */
function dealsInKeys(scope: FileScope, routes: ServiceRoutes, views: readonly ProviderView[]): boolean {
  if (readInService(routes, ENCRYPTION_KEY_VAR)) return true;
  return views.some((view) => view.provider.readVars.some((variable) => readInService(routes, variable)) || misnamed(scope, routes, view.provider).length > 0);
}

/** The same provider's key differing between services: the debates and the API would each use another account. */
function differingKeys(scope: FileScope, routes: readonly ServiceRoutes[], views: readonly ProviderView[]): DiagnoseCheck[] {
  return views.flatMap((view) => {
    const used = routes.flatMap((route) => {
      const found = view.provider.readVars.map((variable) => readInService(route, variable)).find((read) => read && read.value !== '');
      return found ? [{ service: route.name, value: found.value }] : [];
    });
    if (new Set(used.map((item) => item.value)).size < 2) return [];
    return [{
      id: `compose.differs:${scope.shown}:${view.provider.id}`, provider: view.provider.id, severity: 'problem' as const,
      title: `The services get different ${view.provider.label} keys: ${used.map((item) => `${item.service} ${masked(scope.context, item.value)}`).join(', ')}.`,
      detail: ['An alias in the mounted .env that the other services do not get is the usual cause; see How Crucible reads the keys.'],
    }];
  });
}

function mountChecks(scope: FileScope, routes: ServiceRoutes): DiagnoseCheck[] {
  return routes.mounts.filter((mount) => !mount.exists).map((mount) => ({
    id: `compose.mount:${scope.shown}:${routes.name}:${mount.containerPath}`, severity: 'problem' as const,
    title: `${routes.name} mounts ${mount.source} at ${mount.containerPath}, but that file does not exist: docker would create a folder in its place.`,
    fix: openAt(scope, mount.line),
  }));
}

async function fileChecks(context: DiagnoseContext, file: string, readModel: (text: string) => ComposeModel): Promise<{ checks: DiagnoseCheck[]; keyServices: string[] }> {
  const shown = path.basename(file);
  let text: string;
  try {
    const read = await readTextFile(file, { bytes: MAX_COMPOSE_BYTES, what: 'compose file' });
    if (!read.exists) return { checks: [], keyServices: [] };
    text = read.text;
  } catch (error) {
    if (!(error instanceof EnvFileError)) throw error;
    return { checks: [{ id: `compose.file:${shown}`, severity: 'warning', title: error.message }], keyServices: [] };
  }
  const model = readModel(text);
  const checks: DiagnoseCheck[] = model.problems.map((problem, index) => ({ id: `compose.file:${shown}:${index}`, severity: 'warning', title: `${shown}: ${problem}`, fix: { kind: 'openFile', file } }));
  const composeDir = path.dirname(file);
  const lookup = await interpolationLookup(context, composeDir);
  const routes: ServiceRoutes[] = [];
  const env = context.env;
  const reads = new EnvFileReads(env?.exists ? [[env.path, env.text], [context.envFile!, env.text]] : []);
  if (model.services.length > MAX_SERVICES) checks.push({ id: `compose.file:${shown}:services`, severity: 'info', title: `${shown} defines ${model.services.length} services; the first ${MAX_SERVICES} were analysed.` });
  for (const service of model.services.slice(0, MAX_SERVICES)) routes.push(await serviceRoutes(service, { composeDir, lookup, envFile: context.env?.exists ? context.env.path : context.envFile, reads }));
  const scope: FileScope = { context, file, shown, routes, allReadVars: new Set(context.catalog.allVariableNames()) };
  // Every provider that has a key, or that the file mentions, unless the report is about chosen providers.
  const views = context.input.providers ? context.views : context.allViews.filter((view) => view.key !== undefined || routes.some((route) => misnamed(scope, route, view.provider).length || view.provider.readVars.some((variable) => route.variables.has(variable))));
  const passphraseSet = [context.input.environment[ENCRYPTION_KEY_VAR], context.env?.values[ENCRYPTION_KEY_VAR]].some((value) => value);
  const keyServices: string[] = [];
  const quiet: string[] = [];
  for (const route of routes) {
    for (const problem of route.problems) checks.push({ id: `compose.service:${shown}:${route.name}:problem:${checks.length}`, severity: 'problem', title: `${route.name}: ${problem.sentence}`, fix: openAt(scope, problem.line) });
    checks.push(...mountChecks(scope, route));
    if (!dealsInKeys(scope, route, context.allViews)) {
      quiet.push(route.name);
      continue;
    }
    keyServices.push(route.name);
    for (const view of views) {
      const check = providerCheck(scope, route, view);
      if (check) checks.push(check);
    }
    const passphrase = passphraseCheck(scope, route, passphraseSet);
    if (passphrase) checks.push(passphrase);
  }
  checks.push(...differingKeys(scope, routes.filter((route) => keyServices.includes(route.name)), views));
  if (quiet.length) checks.push({ id: `compose.quiet:${shown}`, severity: 'info', title: `No provider variable reaches ${quiet.join(', ')} in ${shown}.` });
  if (model.services.length === 0 && model.problems.length === 0) checks.push({ id: `compose.file:${shown}`, severity: 'info', title: `${shown} defines no services.` });
  return { checks, keyServices };
}

export interface ComposeFindings {
  compose: DiagnoseCheck[];
  /** Where Crucible's own logs are, when a compose file runs it. */
  logs: DiagnoseCheck[];
}

export async function composeChecks(context: DiagnoseContext): Promise<ComposeFindings> {
  const folder = context.envFile ? path.dirname(context.envFile) : context.folder;
  if (!folder) return { compose: [], logs: [] };
  const files = await findComposeFiles(folder);
  if (files.length === 0) return { compose: [], logs: [] };
  // Loaded only now: the YAML parser is the largest part of Diagnose, and the extension keeps it in dist/compose.js.
  const { readComposeModel } = await import('./composeModel');
  const findings: ComposeFindings = { compose: [], logs: [] };
  for (const file of files) {
    const { checks, keyServices } = await fileChecks(context, file, readComposeModel);
    findings.compose.push(...checks);
    if (keyServices.length) {
      const flag = path.basename(file) === 'docker-compose.yml' || DEFAULT_ORDER.includes(path.basename(file)) ? '' : ` -f ${path.basename(file)}`;
      // A command people paste into a shell: only names compose itself accepts go in it.
      const names = keyServices.filter((name) => SERVICE_NAME.test(name));
      findings.logs.push({ id: `logs.crucible:${path.basename(file)}`, severity: 'info', title: `Crucible's own logs: docker compose${flag} logs ${names.join(' ')} (in ${path.dirname(file)}).` });
    }
  }
  return findings;
}
