// The questions most commands start with: which provider, which folder, which .env. A provider may be pre-selected
// (the tree row a command was run on); folders and files are always the person's choice.
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { OperationError } from '../../core/errors';
import type { WorkspaceEnv } from '../env/workspaceEnv';
import type { KeyState, ProviderView } from '../state/keyState';
import { STATUS_LABEL } from '../state/presentation';
import type { Prompter } from '../ui/prompter';

export class Pickers {
  constructor(private readonly prompter: Prompter, private readonly state: KeyState, private readonly workspaceEnv: WorkspaceEnv) {}

  /** A provider id: the pre-selected one when it exists and fits, else the person's pick. */
  async provider(title: string, preselected?: string, filter: (view: ProviderView) => boolean = () => true): Promise<string | undefined> {
    const views = this.state.snapshot().providers.filter(filter);
    if (preselected && views.some((view) => view.id === preselected)) return preselected;
    if (views.length === 0) throw new OperationError('No stored key to choose from yet; add one first.');
    return this.prompter.pickOne('provider', views.map((view) => ({
      label: view.label,
      description: [view.recommended ? 'recommended' : '', view.masked ?? '', view.status === 'not_set' ? '' : STATUS_LABEL[view.status]].filter(Boolean).join(' · '),
      detail: view.status === 'not_set' ? `Written to .env as ${view.writeVar}` : undefined,
      value: view.id,
    })), { title, placeHolder: 'Choose a provider' });
  }

  /** A workspace folder: the only one, or the person's pick among several. */
  async folder(title: string): Promise<vscode.WorkspaceFolder | undefined> {
    const folders = this.workspaceEnv.folders();
    if (folders.length === 0) throw new OperationError('Open a folder (your Crucible checkout) first; keys are written to its .env file.');
    if (folders.length === 1) return folders[0];
    return this.prompter.pickOne('folder', folders.map((folder) => ({ label: folder.name, description: folder.uri.fsPath, value: folder })), { title, placeHolder: 'Which project?' });
  }

  /** The folder's configured .env, or another file the person chooses in a save dialog. */
  async envTarget(folder: vscode.WorkspaceFolder, title: string): Promise<string | undefined> {
    const configured = this.workspaceEnv.envPath(folder);
    const picked = await this.prompter.pickOne('envTarget', [
      { label: path.relative(folder.uri.fsPath, configured) || configured, description: 'from the crucibleKeys.envFile setting', value: configured },
      { label: 'Choose another file…', description: '', value: '' },
    ], { title, placeHolder: 'Target .env file' });
    if (picked === undefined) return undefined;
    return picked || this.prompter.saveFile('envTargetFile', { defaultPath: configured, title });
  }
}

/** The provider a command was pre-selected with: a string id or a tree row ({id}); anything else is ignored. */
export function preselectedProvider(argument: unknown): string | undefined {
  if (typeof argument === 'string' && argument.length <= 64) return argument;
  if (typeof argument === 'object' && argument !== null && typeof (argument as { id?: unknown }).id === 'string') return preselectedProvider((argument as { id: string }).id);
  return undefined;
}
