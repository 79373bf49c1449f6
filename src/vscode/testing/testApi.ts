// The test build's API (CRUCIBLE_KEYS_TEST_API, an esbuild define): the integration tier scripts the prompts and reads
// raw secret storage through it. The published VSIX is built without it; a unit test checks the bundle.
import { looksLikeFernetToken } from '../../core/fernet';
import type { SecretStore } from '../../core/ports';
import { CURRENT_PASSPHRASE_ID, ROTATION_INTENT } from '../../core/vault/names';
import type { DiagnoseReport } from '../../core/diagnose/types';
import type { CrucibleView } from '../crucible/crucibleSession';
import type { KeyStateSnapshot } from '../state/keyState';
import type { Prompter, PromptId, PrompterSlot } from '../ui/prompter';
import { TEST_API_MARKER } from './marker';
import { type Answer, type RecordedPrompt, ScriptedPrompter } from './scriptedPrompter';


export type SecretKind = 'fernet-token' | 'passphrase' | 'metadata' | 'other';

export interface CrucibleKeysTestApi {
  marker: string;
  /** Replaces the real prompts with scripted answers (unanswered ones are cancelled) until useRealPrompts(). */
  answer(answers: Partial<Record<PromptId, Answer>>): void;
  prompts(): RecordedPrompt[];
  clearPrompts(): void;
  useRealPrompts(): void;
  /** Every crucibleKeys.* entry with what it holds, never the value. */
  secretEntries(): Promise<{ name: string; kind: SecretKind }[]>;
  rawSecrets: SecretStore;
  snapshot(): KeyStateSnapshot;
  /** Waits for activation's first pass, then runs another maintenance pass and refresh. */
  refreshed(): Promise<void>;
  /** Runs the rotation reminder as if the clock read `now` (the answer comes from the scripted prompts). */
  checkReminders(now: number): Promise<{ profile: string; provider: string } | undefined>;
  /** The terminal environment collection after an update: what new terminals get. */
  terminals(): Promise<{ persistent: boolean; description: string; variables: Record<string, string> }>;
  /** What the Crucible view shows, and the step of an unfinished rotation. */
  crucible(): { view: CrucibleView; rotationStep?: string };
  /** The sentences failed commands showed, oldest first (the last 50). */
  reportedErrors(): string[];
  /** The Diagnose report on screen. */
  diagnoseReport(): DiagnoseReport | undefined;
}

export interface TestHooks {
  checkReminders(now: number): Promise<{ profile: string; provider: string } | undefined>;
  terminals(): Promise<{ persistent: boolean; description: string; variables: Record<string, string> }>;
  crucible(): { view: CrucibleView; rotationStep?: string };
  reportedErrors(): string[];
  diagnoseReport(): DiagnoseReport | undefined;
}

export function createTestApi(slot: PrompterSlot, secrets: SecretStore, snapshot: () => KeyStateSnapshot, refreshed: () => Promise<void>, hooks: TestHooks): CrucibleKeysTestApi {
  const scripted = new ScriptedPrompter();
  let real: Prompter | undefined;
  return {
    marker: TEST_API_MARKER,
    answer(answers) {
      scripted.script(answers);
      const previous = slot.replace(scripted);
      if (previous !== scripted) real = previous;
    },
    prompts: () => [...scripted.recorded],
    clearPrompts: () => { scripted.recorded.length = 0; },
    useRealPrompts() {
      if (real) slot.replace(real);
    },
    async secretEntries() {
      const names = await secrets.keys();
      const entries: { name: string; kind: SecretKind }[] = [];
      for (const name of names.filter((candidate) => candidate.startsWith('crucibleKeys.')).sort()) {
        const value = await secrets.get(name);
        if (value === undefined) continue;
        const passphrase = name.startsWith('crucibleKeys.vault.passphrase.') || name === 'crucibleKeys.passphrase' || name === 'crucibleKeys.passphrase.previous' || name.startsWith('crucibleKeys.project.');
        const metadata = name === CURRENT_PASSPHRASE_ID || name === ROTATION_INTENT;
        entries.push({ name, kind: passphrase ? 'passphrase' : metadata ? 'metadata' : looksLikeFernetToken(value) ? 'fernet-token' : 'other' });
      }
      return entries;
    },
    rawSecrets: secrets,
    snapshot,
    refreshed,
    checkReminders: (now) => hooks.checkReminders(now),
    terminals: () => hooks.terminals(),
    crucible: () => hooks.crucible(),
    reportedErrors: () => hooks.reportedErrors(),
    diagnoseReport: () => hooks.diagnoseReport(),
  };
}
