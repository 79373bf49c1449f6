// Turns KeyState (and a look at each workspace .env) into the panel's PanelState: names and masks, never keys.
import * as path from 'node:path';
import { readEnvFile } from '../core/envFile';
import { checkGitSafety } from '../core/gitSafety';
import { ENCRYPTION_KEY_VAR } from '../core/passphrase';
import type { Clock } from '../core/ports';
import type { PanelProject, PanelState } from '../shared/protocol';
import type { KeyState } from './keyState';
import { formatCredits, STATUS_LABEL, timeAgo } from './presentation';
import type { Settings } from './settings';
import type { WorkspaceEnv } from './workspaceEnv';

export class PanelStateBuilder {
  constructor(private readonly state: KeyState, private readonly workspaceEnv: WorkspaceEnv, private readonly settings: Settings, private readonly clock: Clock) {}

  private projectsCache?: Promise<PanelProject[]>;

  /** Forgets the project section (a .env, .gitignore, git index or folder changed), so the next build looks again. */
  invalidateProjects(): void {
    this.projectsCache = undefined;
  }

  /** Reading each .env and asking git (three processes a folder) happens once per change, not once per state update. */
  private projects(): Promise<PanelProject[]> {
    this.projectsCache ??= Promise.all(this.workspaceEnv.folders().filter((folder) => folder.uri.scheme === 'file').map((folder) => this.project(folder.uri.fsPath, this.workspaceEnv.envPath(folder))));
    this.projectsCache.catch(() => { this.projectsCache = undefined; });
    return this.projectsCache;
  }

  async build(): Promise<PanelState> {
    const snapshot = this.state.snapshot();
    const now = this.clock.now();
    const catalog = this.state.providers;
    return {
      providers: snapshot.providers.map((view) => {
        const result = view.lastResult;
        const rate = result?.rateLimit;
        return {
          id: view.id, label: view.label, recommended: view.recommended, custom: view.custom, status: view.status,
          statusLabel: view.verifying ? 'checking…' : STATUS_LABEL[view.status], verifying: view.verifying, masked: view.masked, writeVar: view.writeVar,
          keyPrefix: catalog.get(view.id)?.prefixes[0], credits: formatCredits(view),
          rateLimit: rate && rate.requestsRemaining !== undefined ? `${rate.requestsRemaining}${rate.requestsLimit !== undefined ? `/${rate.requestsLimit}` : ''} requests left` : undefined,
          message: result?.message, checkedAgo: timeAgo(result?.checkedAt, now), keyAge: view.addedAt ? timeAgo(view.addedAt, now) : undefined, expires: result?.key?.expiresAt?.slice(0, 10),
          hasStatusPage: !!view.statusPageUrl, verifiable: view.verifiable,
        };
      }),
      encryption: {
        sourceLabel: snapshot.encryption.sourceLabel, source: snapshot.encryption.source,
        strengthVerdict: snapshot.encryption.strength?.verdict, strengthMessage: snapshot.encryption.strength?.message,
        lockedCount: snapshot.encryption.lockedCount,
      },
      projects: await this.projects(),
      customProviders: this.settings.customProviders().map((entry) => ({ id: entry.id, label: entry.label, baseUrl: entry.baseUrl, envVar: entry.envVar, prefix: entry.prefix })),
    };
  }

  private async project(folder: string, envFile: string): Promise<PanelProject> {
    const [contents, safety] = await Promise.all([readEnvFile(envFile).catch(() => undefined), checkGitSafety(envFile)]);
    const values = contents?.values ?? {};
    const variables: PanelProject['variables'] = [];
    if (values[ENCRYPTION_KEY_VAR] !== undefined) variables.push({ name: ENCRYPTION_KEY_VAR, used: true });
    for (const provider of this.state.providers.all()) {
      const set = provider.readVars.filter((name) => values[name]?.trim());
      set.forEach((name, index) => variables.push({ name, provider: provider.label, used: index === 0 }));
    }
    return {
      folder, envFile: path.relative(folder, envFile) || envFile, exists: !!contents?.exists, gitState: safety.state, gitMessage: safety.message,
      fix: safety.state === 'tracked' ? 'untrack' : safety.state === 'not_ignored' && safety.gitignoreLine ? 'ignore' : undefined, variables,
    };
  }
}
