// Turns KeyState (and a look at each workspace .env) into the panel's PanelState: names and masks, never keys.
import * as path from 'node:path';
import { RESTRICTED_GIT } from '../../core/env/plaintextWrite';
import { readEnvFile } from '../../core/envFile';
import { checkGitSafety } from '../../core/gitSafety';
import { ENCRYPTION_KEY_VAR } from '../../core/passphrase';
import type { Clock } from '../../core/ports';
import { describeMask, displayCrucibleId, labelOf } from '../../core/crucible/compare';
import { ROTATION_STEPS, type RotationState } from '../../core/crucible/rotationFlow';
import type { PanelCrucible, PanelCrucibleProvider, PanelProject, PanelState } from '../../shared/protocol';
import { COMPARISON_LABEL } from '../crucible/crucibleText';
import type { CrucibleView } from '../crucible/crucibleSession';
import type { WorkspaceEnv } from '../env/workspaceEnv';
import type { ProjectPassphraseView } from '../encryption/projectPassphrases';
import { describeVault, type KeyState } from '../state/keyState';
import { formatCredits, formatUsage, STATUS_LABEL, timeAgo } from '../state/presentation';

export class PanelStateBuilder {
  constructor(
    private readonly state: KeyState,
    private readonly workspaceEnv: WorkspaceEnv,
    private readonly clock: Clock,
    private readonly crucible: () => { view: CrucibleView; rotation?: RotationState },
  ) {}

  private projectsCache?: Promise<Omit<PanelProject, 'passphrase'>[]>;

  /** Forgets the project section (a .env, .gitignore, git index or folder changed), so the next build looks again. */
  invalidateProjects(): void {
    this.projectsCache = undefined;
  }

  /** Reading each .env and asking git (three processes a folder) happens once per change, not once per state update. */
  private projects(): Promise<Omit<PanelProject, 'passphrase'>[]> {
    this.projectsCache ??= Promise.all(this.workspaceEnv.folders().map((folder) => this.project(folder.uri.fsPath, folder.name)));
    this.projectsCache.catch(() => { this.projectsCache = undefined; });
    return this.projectsCache;
  }

  async build(): Promise<PanelState> {
    const snapshot = this.state.snapshot();
    const now = this.clock.now();
    const catalog = this.state.providers;
    const passphrases = new Map(snapshot.encryption.projects.map((view) => [view.folder, view]));
    const { encryption } = snapshot;
    return {
      profile: snapshot.profile,
      profiles: snapshot.profiles,
      providers: snapshot.providers.map((view) => {
        const result = view.lastResult;
        const rate = result?.rateLimit;
        return {
          id: view.id, label: view.label, recommended: view.recommended, custom: view.custom, status: view.status,
          statusLabel: view.verifying ? 'checking…' : STATUS_LABEL[view.status], verifying: view.verifying, masked: view.masked, writeVar: view.writeVar,
          keyPrefix: catalog.get(view.id)?.prefixes[0], credits: formatCredits(view, true),
          rateLimit: rate && rate.requestsRemaining !== undefined ? `${rate.requestsRemaining}${rate.requestsLimit !== undefined ? `/${rate.requestsLimit}` : ''} requests left` : undefined,
          message: result ? [result.message, result.note].filter(Boolean).join(' ') : undefined, usage: formatUsage(view), checkedAgo: timeAgo(result?.checkedAt, now), keyAge: view.addedAt ? timeAgo(view.addedAt, now) : undefined, expires: result?.key?.expiresAt?.slice(0, 10),
          hasStatusPage: !!view.statusPageUrl, verifiable: view.verifiable,
          ...(view.insecureOrigin || view.sharedWith?.length ? { warning: [
            view.sharedWith?.length ? `The same key is stored in the ${view.sharedWith.join(', ')} profile: use separate keys for development and production.` : '',
            view.insecureOrigin ? `Checks send this key in clear text to ${view.insecureOrigin}.` : '',
          ].filter(Boolean).join(' ') } : {}),
        };
      }),
      encryption: {
        vaultLabel: describeVault(encryption.vault), vaultReady: encryption.vault.ready, rotationInProgress: encryption.vault.rotationInProgress,
        lockedCount: encryption.lockedCount,
        ...(encryption.environment ? { environment: { strengthVerdict: encryption.environment.strength.verdict, strengthMessage: encryption.environment.strength.message } } : {}),
      },
      projects: (await this.projects()).map((project) => ({ ...project, passphrase: passphraseOf(passphrases.get(project.folder)) })),
      customProviders: catalog.all().filter((provider) => provider.custom).map((provider) => ({
        id: provider.id.replace(/^custom:/, ''), label: provider.label, baseUrl: provider.apiOrigin, envVar: provider.writeVar, prefix: provider.prefixes[0],
      })),
      crucible: this.crucibleSection(),
    };
  }

  private crucibleSection(): PanelCrucible {
    const { view, rotation } = this.crucible();
    const comparison = view.connection === 'connected' ? view.comparison : undefined;
    const providers = (comparison?.providers ?? []).filter((entry) => entry.state !== 'absent').map((entry): PanelCrucibleProvider => ({
      id: entry.provider, label: labelOf(entry.provider), state: entry.state as PanelCrucibleProvider['state'], stateLabel: COMPARISON_LABEL[entry.state],
      mask: entry.mask && entry.mask.kind !== 'unreadable' ? describeMask(entry.mask) : undefined, message: entry.message, inVault: entry.inVault, inCrucible: entry.storedUnder.length > 0,
    }));
    return {
      apiUrl: view.apiUrl, connection: view.connection,
      connectionLabel: { disconnected: 'Not connected', connecting: 'Connecting…', connected: 'Connected', failed: 'Not reachable' }[view.connection],
      message: view.message, warning: view.warning, version: view.version, profile: view.profile, providers,
      others: (comparison?.others ?? []).map((other) => ({ id: displayCrucibleId(other.id), mask: describeMask(other.mask) })),
      unreadable: providers.filter((entry) => entry.state === 'unreadable').map((entry) => entry.label),
      ...(rotation ? { rotation: { step: ROTATION_STEPS.indexOf(rotation.step) + 1, of: ROTATION_STEPS.length, startedAt: rotation.startedAt.slice(0, 10) } } : {}),
      passwordRemembered: view.passwordRemembered,
    };
  }

  private async project(folder: string, name: string): Promise<Omit<PanelProject, 'passphrase'>> {
    const workspaceFolder = this.workspaceEnv.folderAt(folder)!;
    let envFile: string;
    try {
      envFile = this.workspaceEnv.envPath(workspaceFolder);
    } catch (error) {
      return { folder, name, envFile: this.workspaceEnv.envSetting(workspaceFolder), exists: false, gitState: 'unknown', gitMessage: (error as Error).message, variables: [], problem: (error as Error).message };
    }
    const trusted = this.workspaceEnv.isTrusted();
    const [contents, safety] = await Promise.all([
      readEnvFile(envFile).catch((error: Error) => error),
      trusted ? checkGitSafety(envFile) : Promise.resolve(RESTRICTED_GIT),
    ]);
    const values = contents instanceof Error ? {} : contents.values;
    const variables: PanelProject['variables'] = [];
    if (Object.hasOwn(values, ENCRYPTION_KEY_VAR)) variables.push({ name: ENCRYPTION_KEY_VAR, used: true });
    for (const provider of this.state.providers.all()) {
      const set = provider.readVars.filter((variable) => Object.hasOwn(values, variable) && values[variable]?.trim());
      set.forEach((variable, index) => variables.push({ name: variable, provider: provider.label, used: index === 0 }));
    }
    return {
      folder, name, envFile: path.relative(folder, envFile) || envFile, exists: !(contents instanceof Error) && contents.exists, gitState: safety.state, gitMessage: safety.message,
      fix: !trusted ? undefined : safety.state === 'tracked' ? 'untrack' : safety.state === 'not_ignored' && safety.gitignoreLine ? 'ignore' : undefined, variables,
      ...(contents instanceof Error ? { problem: contents.message } : {}),
    };
  }
}

function passphraseOf(view: ProjectPassphraseView | undefined): PanelProject['passphrase'] {
  if (!view) return { state: 'restricted', backups: 0, backedUp: false, sameAsVault: false };
  return {
    state: view.state, backups: view.backups, backedUp: view.backedUp, sameAsVault: view.sameAsVault,
    ...(view.state === 'set' && view.strength ? { strengthVerdict: view.strength.verdict, strengthMessage: view.strength.message } : {}),
  };
}
