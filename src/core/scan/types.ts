// What a leak scan finds and skips. Light on purpose: the extension's activation bundle imports these types and
// the message helper, never the matcher or the git sources (those load with dist/scanner.js).
import type { ProviderId, ProviderInfo } from '../catalog';
import { article } from '../keyFormat';

/** A value the user owns (a stored key, a provider variable's value): searched for exactly, never logged or shown. */
export interface KnownSecret {
  value: string;
  /** Who it belongs to, for people: "OPENAI_API_KEY in .env", "your stored OpenAI key". Never the value. */
  label: string;
  /** The variable a fix should read it from instead. */
  variable?: string;
  provider?: ProviderInfo;
}

/**
 * `stored-key`: the exact value of a key the user owns. `stored-key-part`: the start or the end of one (a key split
 * across lines or cut short). `stored-key-encoded`: one written base64-encoded. `key:<provider id>`: a credential
 * with a catalog provider's prefix and shape.
 */
export type RuleId = 'stored-key' | 'stored-key-part' | 'stored-key-encoded' | `key:${string}`;

/** Where the scanned text came from: the working tree, the index (what the next commit holds), or a past commit. */
export type FindingOrigin = 'worktree' | 'staged' | 'commit';

export interface Finding {
  /** Path relative to the scanned folder, with / separators. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units as editors count them. */
  column: number;
  /** In UTF-16 code units. */
  length: number;
  rule: RuleId;
  provider?: ProviderId;
  /** The environment variable a fix should read instead of the literal. */
  variable?: string;
  /** The known prefix and last characters only (maskKey), never the value. */
  masked: string;
  /** Whose key it is, for a stored key ("OPENAI_API_KEY in .env"); the provider's name for a pattern. */
  owner: string;
  origin: FindingOrigin;
  /** The commit that added it, for origin `commit`. */
  commit?: string;
}

export type SkipReason = 'binary' | 'too-large' | 'symlink' | 'not-a-file' | 'unreadable' | 'outside-folder' | 'env-file' | 'submodule';

export interface SkippedFile {
  file: string;
  reason: SkipReason;
  origin: FindingOrigin;
  commit?: string;
}

export interface ScanProgress {
  /** Files (or commit files) scanned so far, and how many there are in all when known. */
  done: number;
  total?: number;
  phase: 'listing' | FindingOrigin;
}

export interface ScanResult {
  /** The folder scanned, absolute. */
  root: string;
  /** `git`: tracked files and untracked files git does not ignore; `directory`: every file (no git repository). */
  mode: 'git' | 'directory';
  findings: Finding[];
  /** Files read and searched. */
  scanned: number;
  skipped: SkippedFile[];
  /** Commits whose changes were searched. */
  commits: number;
}

/** One sentence about a finding for people: what it is, where it came from, what to do. Never holds the value. */
export function describeFinding(finding: Pick<Finding, 'rule' | 'masked' | 'owner' | 'variable' | 'origin' | 'commit'>): string {
  const what = finding.rule === 'stored-key' ? `Your key ${finding.masked} (${finding.owner})`
    : finding.rule === 'stored-key-part' ? `Part of your key (${finding.owner}), ${finding.masked},`
      : finding.rule === 'stored-key-encoded' ? `Your key ${finding.masked} (${finding.owner}), base64-encoded,`
      : `What looks like ${article(finding.owner)} ${finding.owner} key, ${finding.masked},`;
  const where = finding.origin === 'commit' ? ` was committed in ${finding.commit?.slice(0, 12) ?? 'an earlier commit'}; it stays in the history, so revoke it and make a new one.`
    : finding.origin === 'staged' ? ' is staged for the next commit; unstage it and read it from the environment'
      : ' is in this file; read it from the environment';
  const variable = finding.origin !== 'commit' && finding.variable ? ` (${finding.variable})` : '';
  return `${what}${where}${variable}${finding.origin === 'commit' ? '' : ' instead.'}`;
}
