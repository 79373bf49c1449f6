// Switching the active key profile (development, production, or one the user adds).
import * as vscode from 'vscode';
import type { Profiles } from '../profiles/profiles';
import type { KeyState } from '../state/keyState';
import type { Prompter } from '../ui/prompter';

const ADD = Symbol('add a profile');

export class ProfileCommands {
  constructor(private readonly profiles: Profiles, private readonly state: KeyState, private readonly prompter: Prompter) {}

  async switchProfile(): Promise<string | undefined> {
    const snapshot = this.state.snapshot();
    const picked = await this.prompter.pickOne<string | typeof ADD>('profile', [
      ...snapshot.profiles.map((name) => ({
        label: name, description: [name === snapshot.profile ? 'active' : '', `writes ${this.profiles.envFileOf(name)}`].filter(Boolean).join(' · '), value: name,
      })),
      { label: 'Add a profile…', description: 'its keys are kept apart from every other profile\'s', value: ADD },
    ], { title: 'Switch Key Profile', placeHolder: `Active: ${snapshot.profile}` });
    if (picked === undefined) return undefined;
    let name = picked;
    if (name === ADD) {
      const typed = await this.prompter.input('profileName', { title: 'Add a Profile', prompt: 'A name such as staging: lowercase letters, digits, - or _.', placeHolder: 'staging' });
      if (!typed) return undefined;
      name = await this.profiles.add(typed);
    }
    await this.profiles.switchTo(name);
    await this.state.refresh();
    void vscode.window.showInformationMessage(`Crucible Keys now uses the ${name} profile: its own keys, written to ${this.profiles.envFileOf(name)}.`);
    return name;
  }
}
