// The Diagnose report: sections of checks, each a one-sentence finding with an optional fix the extension maps to its
// own confirmed commands. A report never holds a key or passphrase, nor any part of one beyond the catalog mask.
import type { ProviderCatalog, ProviderInfo } from '../catalog';
import type { Clock } from '../ports';
import type { VerifyResult } from '../verify/types';

export const SEVERITIES = ['ok', 'info', 'warning', 'problem'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * What a check offers to do about its finding. Descriptors only: the extension asks before it does anything, the CLI
 * prints the label. Folders and files are absolute paths; providers are catalog ids.
 */
export type DiagnoseFix =
  /** Save the provider's key again (the save normalises it), or add one. */
  | { kind: 'enterKey'; provider: string }
  /** Check the key with the provider again. */
  | { kind: 'reverify'; provider: string }
  | { kind: 'openStatusPage'; provider: string }
  | { kind: 'openKeyPage'; provider: string }
  | { kind: 'showLogs' }
  /** Add the .env to .gitignore and, when `untrack`, stop tracking it (git rm --cached). */
  | { kind: 'ignoreEnv'; folder: string; envFile: string; untrack: boolean }
  /** Write a new API_KEY_ENCRYPTION_KEY where there is none. */
  | { kind: 'generatePassphrase'; folder: string }
  /** Replace a weak API_KEY_ENCRYPTION_KEY through the rotation, which keeps Crucible's stored keys readable. */
  | { kind: 'rotatePassphrase'; folder: string }
  /** Write the stored key into the folder's .env (its variable and every alias already there). */
  | { kind: 'copyKeyToEnv'; provider: string; folder: string }
  /** Write the stored key into an alias that shadows or disagrees with the written variable. */
  | { kind: 'updateAlias'; provider: string; variable: string; folder: string }
  /** Open a file (a compose file) at a line, where the change has to be made by hand. */
  | { kind: 'openFile'; file: string; line?: number };

export type FixKind = DiagnoseFix['kind'];

export type SectionId = 'keys' | 'live' | 'logs' | 'project' | 'drift' | 'crucible' | 'compose';

export interface DiagnoseCheck {
  /** Unique in the report: the check's kind, then what it is about, e.g. `key.characters:openrouter`. */
  id: string;
  severity: Severity;
  /** One sentence. */
  title: string;
  detail?: string[];
  provider?: string;
  fix?: DiagnoseFix;
}

export interface DiagnoseSection {
  id: SectionId;
  title: string;
  checks: DiagnoseCheck[];
}

export interface DiagnoseReport {
  /** The report's own format version, for --json readers. */
  version: 1;
  /** ISO-8601. */
  generatedAt: string;
  folder?: string;
  envFile?: string;
  /** The providers diagnosed, in catalog order. */
  providers: string[];
  sections: DiagnoseSection[];
  /** How many checks have each severity. */
  counts: Record<Severity, number>;
}

/** What the report is built from: ports only, so the extension and the CLI each pass their own. */
export interface DiagnoseInput {
  catalog: ProviderCatalog;
  /** The providers to diagnose; undefined for every provider that has a key stored, in the environment or in .env. */
  providers?: readonly string[];
  /** The project folder (a workspace folder; for the CLI, the .env's folder). Compose files are looked for beside the .env. */
  folder?: string;
  /** The project's .env, absolute. */
  envFile?: string;
  /** The environment Crucible (and docker compose) would start from: it wins over .env. */
  environment: Readonly<Record<string, string | undefined>>;
  /** The stored keys, in memory; undefined for the CLI, whose keys are the ones Crucible reads (environment, .env). */
  storedKeys?: ReadonlyMap<string, string>;
  /** The live check; without it the report says the keys were not checked. */
  verify?: (provider: ProviderInfo, key: string) => Promise<VerifyResult>;
  /**
   * False in Restricted Mode: no git command runs, and the project's API_KEY_ENCRYPTION_KEY is not read from its .env
   * (as package.json's untrustedWorkspaces promises).
   */
  gitAllowed: boolean;
  /** The last errors logged for a provider (already redacted; they are redacted again). */
  recentErrors?: (providerId: string) => readonly string[] | Promise<readonly string[]>;
  /** Where this tool's log is, for people. */
  logLocation?: string;
  clock?: Clock;
}
