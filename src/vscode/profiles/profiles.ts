// Key profiles: separate keys for development and production (and any profile the user adds), as Crucible's guide
// asks. Each has its own keys in the vault and its own default .env target. The active profile is per workspace.
import * as vscode from 'vscode';
import { InputError } from '../../core/errors';
import { DEFAULT_PROFILE, isProfileName } from '../../core/vault/names';
import type { Logger } from '../../core/ports';

export interface ProfileConfig {
  name: string;
  /** The .env this profile writes to, relative to each folder (checked to stay inside it when used). */
  envFile: string;
}

const ACTIVE_PROFILE_KEY = 'crucibleKeys.activeProfile';
/** The built-in profiles and their targets; the crucibleKeys.profiles setting adds to or changes them. */
export const DEFAULT_PROFILES: readonly ProfileConfig[] = [{ name: DEFAULT_PROFILE, envFile: '.env' }, { name: 'production', envFile: '.env.production' }];

/** Checks a profile name a person typed; throws InputError with one sentence. */
export function checkProfileName(name: string): string {
  const trimmed = name.trim();
  if (!isProfileName(trimmed)) throw new InputError(`A profile name is 1 to 32 lowercase letters, digits, - or _, starting with a letter, and not a reserved word; "${trimmed.slice(0, 40)}" is not.`);
  return trimmed;
}

export class Profiles implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly workspaceState: vscode.Memento, private readonly logger: Logger) {}

  /**
   * The profiles of a folder (or of the window): the defaults, changed or added to by crucibleKeys.profiles. A bad
   * entry is skipped with a warning naming it. crucibleKeys.envFile stays the development profile's target.
   */
  list(folder?: vscode.WorkspaceFolder): ProfileConfig[] {
    const config = vscode.workspace.getConfiguration('crucibleKeys', folder?.uri);
    const profiles = new Map(DEFAULT_PROFILES.map((profile) => [profile.name, { ...profile }]));
    const legacyEnvFile = config.get<unknown>('envFile');
    if (typeof legacyEnvFile === 'string' && legacyEnvFile.trim()) profiles.get(DEFAULT_PROFILE)!.envFile = legacyEnvFile.trim();
    const raw = config.get<unknown>('profiles', {});
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      for (const [name, value] of Object.entries(raw)) {
        if (!isProfileName(name)) {
          this.logger.warn('crucibleKeys.profiles.%s was skipped: a profile name is lowercase letters, digits, - or _, and not a reserved word.', name.slice(0, 40));
          continue;
        }
        const envFile = typeof value === 'object' && value !== null && typeof (value as { envFile?: unknown }).envFile === 'string' ? (value as { envFile: string }).envFile.trim() : undefined;
        profiles.set(name, { name, envFile: envFile || profiles.get(name)?.envFile || `.env.${name}` });
      }
    }
    return [...profiles.values()];
  }

  names(): string[] {
    return this.list().map((profile) => profile.name);
  }

  active(): string {
    const stored = this.workspaceState.get<string>(ACTIVE_PROFILE_KEY);
    return stored && isProfileName(stored) ? stored : DEFAULT_PROFILE;
  }

  async switchTo(name: string): Promise<void> {
    const profile = checkProfileName(name);
    if (profile === this.active()) return;
    await this.workspaceState.update(ACTIVE_PROFILE_KEY, profile);
    this.logger.info('switched to the %s profile', profile);
    this.changed.fire(profile);
  }

  /** Adds a profile to the user's settings (its target defaults to .env.<name>). */
  async add(name: string): Promise<string> {
    const profile = checkProfileName(name);
    const config = vscode.workspace.getConfiguration('crucibleKeys');
    const current = config.inspect<Record<string, unknown>>('profiles')?.globalValue ?? {};
    if (!Object.hasOwn(current, profile) && !DEFAULT_PROFILES.some((entry) => entry.name === profile)) {
      await config.update('profiles', { ...current, [profile]: { envFile: `.env.${profile}` } }, vscode.ConfigurationTarget.Global);
    }
    return profile;
  }

  /** The .env a profile writes to in a folder, relative to it. */
  envFileOf(profile: string, folder?: vscode.WorkspaceFolder): string {
    return this.list(folder).find((entry) => entry.name === profile)?.envFile ?? (profile === DEFAULT_PROFILE ? '.env' : `.env.${profile}`);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
