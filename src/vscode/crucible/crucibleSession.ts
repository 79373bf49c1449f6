// The connection to a running Crucible: its API URL (a machine setting), the password (from a trusted workspace's
// .env, remembered in the vault if the person asked, or typed), the session token (inside the lazily loaded client
// only), and what Crucible holds compared with the active profile's keys. Nothing polls: Crucible is read when the
// person connects or refreshes, and after every push.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BuiltInProviderId } from '../../core/catalog';
import { checkApiUrl, CRUCIBLE_PASSWORD_VAR, DEFAULT_CRUCIBLE_API_URL, plainHttpWarning } from '../../core/crucible/apiUrl';
import type { CrucibleClient, CrucibleSettings } from '../../core/crucible/client';
import { compareWithVault, type CrucibleComparison, CRUCIBLE_PROVIDERS, type VaultKeys } from '../../core/crucible/compare';
import { CrucibleAuthError } from '../../core/crucible/errors';
import { type CrucibleStatus, executePush, type PushOutcome, readStatus, reenterUnreadable, type ReentryOutcome, waitForCrucible } from '../../core/crucible/operations';
import type { RotationCrucible } from '../../core/crucible/rotationFlow';
import type { PushPlan } from '../../core/crucible/pushPlan';
import { readEnvFile } from '../../core/envFile';
import { OperationError } from '../../core/errors';
import type { Logger } from '../../core/ports';
import type { Redactor } from '../../core/redact';
import type { KeyVault } from '../../core/vault/keyVault';
import { explain } from '../errorText';
import type { WorkspaceEnv } from '../env/workspaceEnv';
import type { Settings } from '../settings';
import type { Prompter } from '../ui/prompter';

export type CrucibleConnection = 'disconnected' | 'connecting' | 'connected' | 'failed';

/** What the tree and the panel show. Never a key, the password or the token: only Crucible's own masks, compared. */
export interface CrucibleView {
  /** The API URL in use, or undefined when the setting is not a usable URL (then `message` says why). */
  apiUrl?: string;
  connection: CrucibleConnection;
  /** One sentence: why it is not connected, or what failed. */
  message?: string;
  /** Plain http:// to another machine. */
  warning?: string;
  version?: string;
  /** The profile whose keys Crucible is compared with. */
  profile: string;
  comparison?: CrucibleComparison;
  /** When Crucible was last read (ms). */
  checkedAt?: number;
  passwordRemembered: boolean;
}

/** Where a password came from; a remembered one that Crucible refuses is forgotten. */
type PasswordSource = 'env' | 'remembered' | 'typed';

/** The vault credential holding a server's remembered password: one per API URL, so a changed URL never gets it. */
export function passwordCredentialId(apiUrl: string): string {
  return `crucible-${createHash('sha256').update(apiUrl, 'utf8').digest('hex').slice(0, 16)}`;
}

export class CrucibleSession implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private client?: { apiUrl: string; instance: Promise<CrucibleClient> };
  private current: Omit<CrucibleView, 'profile'> = { connection: 'disconnected', passwordRemembered: false };
  private settingsRead?: CrucibleSettings;
  /** One connection attempt at a time; a second caller waits for it. */
  private connecting?: { interactive: boolean; attempt: Promise<boolean> };
  /** Reads of Crucible started, and the newest one shown: a slow refresh that lands after a push must not undo it. */
  private readsStarted = 0;
  private readShown = 0;

  constructor(
    private readonly settings: Settings,
    private readonly vault: KeyVault,
    private readonly workspaceEnv: WorkspaceEnv,
    private readonly prompter: Prompter,
    private readonly redactor: Redactor,
    private readonly logger: Logger,
    private readonly activeProfile: () => string,
  ) {}

  view(): CrucibleView {
    return { ...this.current, profile: this.activeProfile() };
  }

  /** The API URL from the setting, checked (a bad one is an InputError naming the setting, never echoing it). */
  apiUrl(): string {
    const raw = this.settings.crucibleApiUrl();
    try {
      return checkApiUrl(raw || DEFAULT_CRUCIBLE_API_URL);
    } catch (error) {
      throw new OperationError(`crucibleKeys.crucible.apiUrl is not usable: ${(error as Error).message}`);
    }
  }

  get connected(): boolean {
    return this.current.connection === 'connected';
  }

  /**
   * Logs in and reads what Crucible holds. `interactive` may ask for the password (and whether to remember it) and
   * confirm plain http; otherwise only a password at hand is used and a failure is shown in the view, not thrown.
   */
  async connect(interactive: boolean): Promise<boolean> {
    // A quiet attempt in flight (the view just opened) may not ask for anything: a person's attempt waits for it, then asks.
    while (this.connecting) {
      const { interactive: asking, attempt } = this.connecting;
      const connected = await attempt.catch(() => false);
      if (connected || asking || !interactive) return connected;
    }
    const attempt = this.connectOnce(interactive).finally(() => { this.connecting = undefined; });
    this.connecting = { interactive, attempt };
    return attempt;
  }

  private async connectOnce(interactive: boolean): Promise<boolean> {
    let apiUrl: string;
    try {
      apiUrl = this.apiUrl();
    } catch (error) {
      this.set({ apiUrl: undefined, connection: 'failed', message: (error as Error).message, warning: undefined });
      if (interactive) throw error;
      return false;
    }
    const warning = plainHttpWarning(apiUrl);
    const remembered = await this.rememberedPassword(apiUrl);
    this.set({ apiUrl, warning, passwordRemembered: remembered !== undefined });
    if (warning) {
      if (!interactive) return this.stay('disconnected', 'Connect to see what Crucible holds; its address uses plain http.');
      const choice = await this.prompter.confirm('cruciblePlainHttp', 'Connect to Crucible over plain http?', { detail: warning, actions: ['Connect Anyway'] });
      if (choice !== 'Connect Anyway') return this.stay('disconnected', 'Not connected: its address uses plain http.');
    }
    this.set({ connection: 'connecting', message: undefined });
    try {
      // Whether Crucible answers at all is known before anyone is asked for its password.
      const client = await this.clientFor(apiUrl);
      const health = await client.health();
      this.set({ version: health.version });
      let source: PasswordSource | undefined;
      let password = await this.passwordFromEnv();
      if (password !== undefined) source = 'env';
      else if (remembered !== undefined) [password, source] = [remembered, 'remembered'];
      if (password === undefined) {
        if (!interactive) return this.stay('disconnected', `Connect to see what Crucible holds (its password is not in a trusted workspace's .env as ${CRUCIBLE_PASSWORD_VAR}).`);
        password = await this.askPassword(apiUrl);
        if (password === undefined) return this.stay('disconnected', 'Not connected.');
        source = 'typed';
      }
      try {
        await client.login(password);
      } catch (error) {
        if (!(error instanceof CrucibleAuthError) || source === 'typed') throw error;
        if (source === 'remembered') await this.forgetPassword();
        if (!interactive) throw error;
        // The .env's or the remembered password is wrong: the person may type the right one.
        const typed = await this.askPassword(apiUrl, `Crucible refused the ${source === 'env' ? `${CRUCIBLE_PASSWORD_VAR} from the .env` : 'remembered password'}. Type its password.`);
        if (typed === undefined) return this.stay('disconnected', 'Not connected: Crucible refused the password.');
        [password, source] = [typed, 'typed'];
        await client.login(password);
      }
      this.logger.info('logged in to Crucible at %s', apiUrl);
      await this.readAndCompare(client);
      if (source === 'typed' && interactive) await this.offerToRemember(apiUrl, password);
      return true;
    } catch (error) {
      this.set({ connection: 'failed', message: explain(error, this.redactor), comparison: undefined });
      this.logger.warn('Crucible at %s: %s', apiUrl, explain(error, this.redactor));
      if (interactive) throw error;
      return false;
    }
  }

  private stay(connection: CrucibleConnection, message: string): false {
    this.set({ connection, message });
    return false;
  }

  /** Connects (asking what it must) unless connected already; throws when it cannot. */
  async ensureConnected(): Promise<CrucibleClient> {
    if (!this.connected && !(await this.connect(true))) throw new OperationError('Not connected to Crucible.');
    return this.clientFor(this.apiUrl());
  }

  /** Reads Crucible again; logs in again once when the session has expired (Crucible restarted). */
  async refresh(interactive = true): Promise<CrucibleSettings | undefined> {
    if (!this.connected) return (await this.connect(interactive)) ? this.settingsRead : undefined;
    const client = await this.clientFor(this.apiUrl());
    try {
      await this.withSession(client, () => this.readAndCompare(client));
      return this.settingsRead;
    } catch (error) {
      this.set({ connection: 'failed', message: explain(error, this.redactor), comparison: undefined });
      if (interactive) throw error;
      return undefined;
    }
  }

  /** The active profile's keys that Crucible can hold, opened from the vault. */
  async vaultKeys(): Promise<VaultKeys> {
    const keys: Partial<Record<BuiltInProviderId, string>> = {};
    for (const [id, read] of await this.vault.readAll()) {
      if (read.state === 'ok' && (CRUCIBLE_PROVIDERS as readonly string[]).includes(id)) keys[id as BuiltInProviderId] = read.key;
    }
    return keys;
  }

  /** What Crucible held at the last read (its masks). */
  lastSettings(): CrucibleSettings | undefined {
    return this.settingsRead;
  }

  /** Carries out a plan, then shows what Crucible holds now. */
  async execute(plan: PushPlan, vault: VaultKeys): Promise<PushOutcome> {
    const client = await this.ensureConnected();
    const fresh = this.beginRead();
    const outcome = await this.withSession(client, () => executePush(client, plan, vault));
    if (fresh()) {
      this.settingsRead = outcome.after.settings;
      this.set({ comparison: outcome.after.comparison, checkedAt: Date.now(), connection: 'connected', message: undefined });
    }
    return outcome;
  }

  /** Puts back the vault's keys for exactly the providers Crucible can no longer read. */
  async reenter(vault: VaultKeys): Promise<ReentryOutcome> {
    const client = await this.ensureConnected();
    const outcome = await this.withSession(client, () => reenterUnreadable(client, vault));
    await this.readAndCompare(client);
    return outcome;
  }

  /** What the rotation flow needs of Crucible, over this session: the view follows every read. */
  rotationPort(): RotationCrucible {
    return {
      waitUntilUp: async (signal) => { await waitForCrucible(await this.clientFor(this.apiUrl()), { signal }); },
      status: async (signal): Promise<CrucibleStatus> => {
        const client = await this.ensureConnected();
        const fresh = this.beginRead();
        const status = await this.withSession(client, async () => readStatus(client, await this.vaultKeys(), { signal }));
        if (fresh()) {
          this.settingsRead = status.settings;
          this.set({ connection: 'connected', message: undefined, comparison: status.comparison, checkedAt: Date.now() });
        }
        return status;
      },
      reenter: async (signal) => {
        const client = await this.ensureConnected();
        return this.withSession(client, async () => reenterUnreadable(client, await this.vaultKeys(), { signal }));
      },
    };
  }

  /** The password for a new login (the rotation's, after Crucible restarted): at hand, or asked for. */
  async password(): Promise<string> {
    const apiUrl = this.apiUrl();
    const password = (await this.passwordFromEnv()) ?? (await this.rememberedPassword(apiUrl)) ?? (await this.askPassword(apiUrl));
    if (password === undefined) throw new OperationError('No password for Crucible was given.');
    return password;
  }

  async forgetPassword(): Promise<void> {
    const apiUrl = this.current.apiUrl ?? this.apiUrl();
    await this.vault.removeCredential(passwordCredentialId(apiUrl));
    this.set({ passwordRemembered: false });
    this.logger.info('forgot the remembered password of Crucible at %s', apiUrl);
  }

  /** Forgets the session; the next read logs in again. */
  disconnect(message = 'Disconnected.'): void {
    void this.client?.instance.then((client) => client.logout(), () => undefined);
    this.readShown = ++this.readsStarted; // a read still in flight must not show it connected again
    this.settingsRead = undefined;
    this.set({ connection: 'disconnected', message, comparison: undefined, checkedAt: undefined });
  }

  /** The setting changed: drop the client (and its session) so the next connection uses the new URL. */
  async reset(): Promise<void> {
    const old = this.client;
    this.client = undefined;
    this.readShown = ++this.readsStarted;
    this.settingsRead = undefined;
    this.current = { connection: 'disconnected', passwordRemembered: false };
    this.changed.fire();
    if (old) await (await old.instance.catch(() => undefined))?.close();
  }

  private recompareTimer?: ReturnType<typeof setTimeout>;

  /** Coalesces bursts of key-state changes (a verify-all) into one comparison. */
  scheduleRecompare(): void {
    if (!this.settingsRead) return;
    if (this.recompareTimer) clearTimeout(this.recompareTimer);
    this.recompareTimer = setTimeout(() => { this.recompareTimer = undefined; void this.recompare().catch(() => undefined); }, 200);
  }

  /** Compares again with the vault's keys (after a key or the profile changed), without asking Crucible. */
  async recompare(): Promise<void> {
    const read = this.settingsRead;
    if (!read || !this.connected) return;
    const vault = await this.vaultKeys();
    // A read of Crucible that landed meanwhile is newer than this comparison.
    if (this.settingsRead === read && this.connected) this.set({ comparison: compareWithVault(read.providerApiKeys, vault) });
  }

  private async readAndCompare(client: CrucibleClient): Promise<void> {
    const fresh = this.beginRead();
    const status = await readStatus(client, await this.vaultKeys());
    if (!fresh()) return;
    this.settingsRead = status.settings;
    this.set({ connection: 'connected', message: undefined, comparison: status.comparison, checkedAt: Date.now() });
  }

  /** Starts a read of Crucible; the function returned says whether its answer is still the newest one to show. */
  private beginRead(): () => boolean {
    const id = ++this.readsStarted;
    return () => {
      if (id < this.readShown) return false;
      this.readShown = id;
      return true;
    };
  }

  /** Runs with the session; a session Crucible no longer accepts (it restarted) is renewed once with a password at hand. */
  private async withSession<T>(client: CrucibleClient, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof CrucibleAuthError)) throw error;
      await client.login(await this.password());
      return run();
    }
  }

  private clientFor(apiUrl: string): Promise<CrucibleClient> {
    if (this.client?.apiUrl !== apiUrl) {
      const previous = this.client;
      // Loaded lazily, with the verifier, so that activation never pays for undici.
      const instance = import('../../core/network').then(({ CrucibleClient }) => {
        const options = this.settings.verify();
        return new CrucibleClient({ apiUrl, redactor: this.redactor, logger: this.logger, timeoutMs: options.timeoutMs, proxy: options.proxy, strictSsl: options.strictSsl });
      });
      this.client = { apiUrl, instance };
      instance.catch(() => { if (this.client?.instance === instance) this.client = undefined; });
      void previous?.instance.then((client) => client.close(), () => undefined);
    }
    return this.client.instance;
  }

  /** ROUNDTABLE_COMMUNITY_AUTH_PASSWORD from a folder's .env, read only in a trusted workspace. */
  private async passwordFromEnv(): Promise<string | undefined> {
    if (!this.workspaceEnv.isTrusted()) return undefined;
    for (const folder of this.workspaceEnv.folders()) {
      const files = new Set([path.join(folder.uri.fsPath, '.env')]);
      try {
        files.add(this.workspaceEnv.envPath(folder));
      } catch {
        // a refused crucibleKeys.envFile: the folder's own .env is still Crucible's
      }
      for (const file of files) {
        const value = await readEnvFile(file).then((contents) => contents.values[CRUCIBLE_PASSWORD_VAR], () => undefined);
        if (value) return value;
      }
    }
    return undefined;
  }

  private async rememberedPassword(apiUrl: string): Promise<string | undefined> {
    const read = await this.vault.readCredential(passwordCredentialId(apiUrl)).catch(() => undefined);
    return read?.state === 'ok' ? read.key : undefined;
  }

  private async askPassword(apiUrl: string, prompt?: string): Promise<string | undefined> {
    const typed = await this.prompter.input('cruciblePassword', {
      title: 'Connect to Crucible',
      prompt: prompt ?? `The password of Crucible at ${apiUrl} (${CRUCIBLE_PASSWORD_VAR} in its .env). It is sent only to log in.`,
      password: true,
      validate: (value) => (value === '' ? 'Type the password.' : undefined),
    });
    return typed === undefined || typed === '' ? undefined : typed;
  }

  private async offerToRemember(apiUrl: string, password: string): Promise<void> {
    const choice = await this.prompter.notify('crucibleRememberPassword', `Remember the password of Crucible at ${apiUrl}?`, {
      detail: 'It would be kept encrypted in secret storage, like your keys, for this address only.',
      actions: ['Remember', 'Not Now'], severity: 'info',
    });
    if (choice !== 'Remember') return;
    await this.vault.storeCredential(passwordCredentialId(apiUrl), password);
    this.set({ passwordRemembered: true });
  }

  private set(update: Partial<Omit<CrucibleView, 'profile'>>): void {
    this.current = { ...this.current, ...update };
    this.changed.fire();
  }

  dispose(): void {
    if (this.recompareTimer) clearTimeout(this.recompareTimer);
    void this.reset();
    this.changed.dispose();
  }
}
