// Which .env file belongs to which workspace folder. The crucibleKeys.envFile setting is a relative path that must
// stay inside its folder: a workspace's own settings could otherwise point the extension at any file on disk.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { InputError } from '../../core/errors';
import type { Profiles } from '../profiles/profiles';

/** Checks a crucibleKeys.envFile value; returns the normalised relative path or throws InputError with one sentence. */
export function checkEnvFileSetting(value: string): string {
  const shown = JSON.stringify(value.slice(0, 80));
  if (value.includes('\0') || path.isAbsolute(value) || path.win32.isAbsolute(value) || /^[a-zA-Z]:/.test(value)) {
    throw new InputError(`crucibleKeys.envFile must be a relative path inside the folder, such as .env; ${shown} is not.`);
  }
  const normal = path.posix.normalize(value.replace(/\\/g, '/'));
  if (normal === '.' || normal === '..' || normal.startsWith('../') || normal.endsWith('/')) {
    throw new InputError(`crucibleKeys.envFile must be a relative path to a file inside the folder, such as .env; ${shown} is not.`);
  }
  return normal;
}

export class WorkspaceEnv {
  constructor(private readonly profiles: Profiles) {}

  folders(): readonly vscode.WorkspaceFolder[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file');
  }

  folderAt(fsPath: string): vscode.WorkspaceFolder | undefined {
    return this.folders().find((folder) => folder.uri.fsPath === fsPath);
  }

  /** The .env a profile (the active one by default) writes to in a folder; throws InputError when it points outside. */
  envPath(folder: vscode.WorkspaceFolder, profile = this.profiles.active()): string {
    return path.join(folder.uri.fsPath, checkEnvFileSetting(this.profiles.envFileOf(profile, folder)));
  }

  /** The configured (unchecked) relative .env of a folder, for showing when it is refused. */
  envSetting(folder: vscode.WorkspaceFolder, profile = this.profiles.active()): string {
    return this.profiles.envFileOf(profile, folder);
  }

  isTrusted(): boolean {
    return vscode.workspace.isTrusted;
  }
}
