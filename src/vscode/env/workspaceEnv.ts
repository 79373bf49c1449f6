// Which .env file belongs to which workspace folder, and reading API_KEY_ENCRYPTION_KEY from them.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readEnvFile } from '../core/envFile';
import { ENCRYPTION_KEY_VAR } from '../core/passphrase';
import type { Logger } from '../core/ports';
import type { Settings } from './settings';

export class WorkspaceEnv {
  constructor(private readonly settings: Settings, private readonly logger: Logger) {}

  folders(): readonly vscode.WorkspaceFolder[] {
    return vscode.workspace.workspaceFolders ?? [];
  }

  /** The configured .env of a folder (crucibleKeys.envFile, relative to the folder). */
  envPath(folder: vscode.WorkspaceFolder): string {
    const configured = this.settings.envFile(folder);
    return path.isAbsolute(configured) ? configured : path.join(folder.uri.fsPath, configured);
  }

  /** The first workspace .env that sets API_KEY_ENCRYPTION_KEY. Callers check workspace trust first. */
  async readPassphrase(): Promise<{ file: string; value: string } | undefined> {
    for (const folder of this.folders()) {
      if (folder.uri.scheme !== 'file') continue;
      const file = this.envPath(folder);
      try {
        const contents = await readEnvFile(file);
        const value = contents.values[ENCRYPTION_KEY_VAR]?.trim();
        if (value) return { file, value };
      } catch (error) {
        this.logger.warn('could not read %s: %s', file, (error as Error).message);
      }
    }
    return undefined;
  }
}
