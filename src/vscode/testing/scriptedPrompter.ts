// Test builds only: answers prompts by id from a script and records every prompt, so the integration tier drives the
// real commands without a person. Anything the script does not answer is cancelled, as closing the dialog would be.
import * as vscode from 'vscode';
import type { ConfirmOptions, InputOptions, PickItem, Prompter, PromptId } from '../ui/prompter';

export type Answer = string | readonly string[] | 'picked' | ((prompt: RecordedPrompt) => unknown);

export interface RecordedPrompt {
  id: PromptId;
  kind: 'pickOne' | 'pickMany' | 'confirm' | 'notify' | 'input' | 'saveFile' | 'openLink';
  title: string;
  detail?: string;
  /** Item labels, or button labels for a confirmation. */
  options: string[];
  answered: boolean;
}

export class ScriptedPrompter implements Prompter {
  readonly recorded: RecordedPrompt[] = [];
  private answers: Partial<Record<PromptId, Answer>> = {};

  script(answers: Partial<Record<PromptId, Answer>>): void {
    this.answers = { ...answers };
  }

  /** A function answer may act first (restart a server, say) and answer when done: its result is awaited. */
  private async answer(prompt: Omit<RecordedPrompt, 'answered'>): Promise<unknown> {
    const answer = this.answers[prompt.id];
    this.recorded.push({ ...prompt, answered: answer !== undefined });
    return typeof answer === 'function' ? await answer({ ...prompt, answered: true }) : answer;
  }

  async pickOne<T>(id: PromptId, items: readonly PickItem<T>[], options: { title: string }): Promise<T | undefined> {
    const answer = await this.answer({ id, kind: 'pickOne', title: options.title, options: items.map((item) => item.label) });
    return items.find((item) => item.value === answer || item.label === answer)?.value;
  }

  async pickMany<T>(id: PromptId, items: readonly PickItem<T>[], options: { title: string }): Promise<T[] | undefined> {
    const answer = await this.answer({ id, kind: 'pickMany', title: options.title, options: items.map((item) => item.label) });
    if (answer === undefined) return undefined;
    if (answer === 'picked') return items.filter((item) => item.picked).map((item) => item.value);
    const wanted = Array.isArray(answer) ? answer : [answer];
    return items.filter((item) => wanted.includes(item.value) || wanted.includes(item.label)).map((item) => item.value);
  }

  async confirm(id: PromptId, message: string, options: ConfirmOptions): Promise<string | undefined> {
    const answer = await this.answer({ id, kind: 'confirm', title: message, detail: options.detail, options: [...options.actions] });
    return typeof answer === 'string' && options.actions.includes(answer) ? answer : undefined;
  }

  async notify(id: PromptId, message: string, options: ConfirmOptions): Promise<string | undefined> {
    const answer = await this.answer({ id, kind: 'notify', title: message, detail: options.detail, options: [...options.actions] });
    return typeof answer === 'string' && options.actions.includes(answer) ? answer : undefined;
  }

  /** Like the real input box, an answer whose validation is an error cannot be accepted: it reads as cancelled. */
  async input(id: PromptId, options: InputOptions): Promise<string | undefined> {
    const answer = await this.answer({ id, kind: 'input', title: options.title, detail: options.prompt, options: [] });
    if (typeof answer !== 'string') return undefined;
    const validation = options.validate?.(answer);
    const refused = typeof validation === 'string' || validation?.severity === vscode.InputBoxValidationSeverity.Error;
    if (refused) this.recorded[this.recorded.length - 1].detail = `refused: ${typeof validation === 'string' ? validation : validation?.message}`;
    return refused ? undefined : answer;
  }

  /** Records the page that would open; nothing opens in a test. */
  async openLink(id: PromptId, url: string): Promise<void> {
    this.recorded.push({ id, kind: 'openLink', title: url, options: [], answered: true });
  }

  async saveFile(id: PromptId, options: { defaultPath: string; title: string }): Promise<string | undefined> {
    const answer = await this.answer({ id, kind: 'saveFile', title: options.title, options: [options.defaultPath] });
    return typeof answer === 'string' ? answer : undefined;
  }
}
