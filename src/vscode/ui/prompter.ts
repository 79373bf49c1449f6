// Every question the extension asks a person goes through a Prompter: quick picks, modal confirmations, input
// boxes and file dialogs. Each prompt has a stable id, so a test build can answer (and record) prompts; the published
// extension always asks the real UI. Commands never skip a prompt because of their arguments.
import * as vscode from 'vscode';

export type PromptId =
  | 'provider' | 'folder' | 'envTarget' | 'envTargetFile' | 'envVariables' | 'writeConfirm' | 'keyInput' | 'looksLike'
  | 'importChoice' | 'importReplace' | 'removeConfirm' | 'clipboardConfirm' | 'forgetAllConfirm' | 'unlockPassphrase'
  | 'vaultRotateConfirm' | 'projectPassphraseExists' | 'projectRotateConfirm' | 'projectRestorePick' | 'adoptConfirm'
  | 'vaultToProjectConfirm' | 'gitUntrackConfirm' | 'profile' | 'profileName' | 'replaceKeyInput' | 'replaceConfirm' | 'replaceUnverified'
  | 'restorePreviousConfirm' | 'restoreIncomplete' | 'reminder' | 'revokeReminder' | 'keyPage'
  | 'cruciblePlainHttp' | 'cruciblePassword' | 'crucibleRememberPassword' | 'cruciblePush' | 'crucibleRemove' | 'crucibleBundle'
  | 'crucibleConfirm' | 'crucibleReenter' | 'crucibleRotate' | 'crucibleRotationResume' | 'crucibleRestart' | 'crucibleRestartDone' | 'crucibleForgetPassword';

export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  picked?: boolean;
  value: T;
}

export interface InputOptions {
  title: string;
  prompt: string;
  placeHolder?: string;
  password?: boolean;
  validate?: (value: string) => vscode.InputBoxValidationMessage | string | undefined;
}

export interface ConfirmOptions {
  detail?: string;
  /** Button labels; the answer is one of them, or undefined when the person closed the dialog. */
  actions: readonly string[];
  severity?: 'warning' | 'info';
}

/** The questions, as a port: the real one below, a scripted one in test builds. */
export interface Prompter {
  pickOne<T>(id: PromptId, items: readonly PickItem<T>[], options: { title: string; placeHolder?: string }): Promise<T | undefined>;
  pickMany<T>(id: PromptId, items: readonly PickItem<T>[], options: { title: string; placeHolder?: string }): Promise<T[] | undefined>;
  confirm(id: PromptId, message: string, options: ConfirmOptions): Promise<string | undefined>;
  /** A notification (not modal) with buttons; undefined when it was closed or ignored. */
  notify(id: PromptId, message: string, options: ConfirmOptions): Promise<string | undefined>;
  input(id: PromptId, options: InputOptions): Promise<string | undefined>;
  saveFile(id: PromptId, options: { defaultPath: string; title: string }): Promise<string | undefined>;
  /** Opens a page in the browser (VS Code may ask first); resolves once that is handed over, not when it is closed. */
  openLink(id: PromptId, url: string): Promise<void>;
}

export class VsCodePrompter implements Prompter {
  async pickOne<T>(_id: PromptId, items: readonly PickItem<T>[], options: { title: string; placeHolder?: string }): Promise<T | undefined> {
    const picked = await vscode.window.showQuickPick(items.map((item) => ({ ...item })), { title: options.title, placeHolder: options.placeHolder, matchOnDescription: true, ignoreFocusOut: true });
    return picked?.value;
  }

  async pickMany<T>(_id: PromptId, items: readonly PickItem<T>[], options: { title: string; placeHolder?: string }): Promise<T[] | undefined> {
    const picked = await vscode.window.showQuickPick(items.map((item) => ({ ...item })), { title: options.title, placeHolder: options.placeHolder, canPickMany: true, ignoreFocusOut: true });
    return picked?.map((item) => item.value);
  }

  async confirm(_id: PromptId, message: string, options: ConfirmOptions): Promise<string | undefined> {
    const show = options.severity === 'info' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    return show(message, { modal: true, detail: options.detail }, ...options.actions);
  }

  async notify(_id: PromptId, message: string, options: ConfirmOptions): Promise<string | undefined> {
    const show = options.severity === 'info' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    return show(options.detail ? `${message} ${options.detail}` : message, ...options.actions);
  }

  async input(_id: PromptId, options: InputOptions): Promise<string | undefined> {
    return vscode.window.showInputBox({ title: options.title, prompt: options.prompt, placeHolder: options.placeHolder, password: options.password, ignoreFocusOut: true, validateInput: options.validate });
  }

  async openLink(_id: PromptId, url: string): Promise<void> {
    void vscode.env.openExternal(vscode.Uri.parse(url)); // not awaited: VS Code may ask before opening the site
  }

  async saveFile(_id: PromptId, options: { defaultPath: string; title: string }): Promise<string | undefined> {
    return (await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(options.defaultPath), saveLabel: 'Use this file', title: options.title }))?.fsPath;
  }
}

/** Holds the prompter in use: the composition root installs the real one; only a test build can swap it. */
export class PrompterSlot implements Prompter {
  constructor(private current: Prompter) {}

  replace(next: Prompter): Prompter {
    const previous = this.current;
    this.current = next;
    return previous;
  }

  pickOne<T>(id: PromptId, items: readonly PickItem<T>[], options: { title: string; placeHolder?: string }) { return this.current.pickOne(id, items, options); }
  pickMany<T>(id: PromptId, items: readonly PickItem<T>[], options: { title: string; placeHolder?: string }) { return this.current.pickMany(id, items, options); }
  confirm(id: PromptId, message: string, options: ConfirmOptions) { return this.current.confirm(id, message, options); }
  notify(id: PromptId, message: string, options: ConfirmOptions) { return this.current.notify(id, message, options); }
  input(id: PromptId, options: InputOptions) { return this.current.input(id, options); }
  saveFile(id: PromptId, options: { defaultPath: string; title: string }) { return this.current.saveFile(id, options); }
  openLink(id: PromptId, url: string) { return this.current.openLink(id, url); }
}
