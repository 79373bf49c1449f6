// The label of each fix, for a button in the extension and a hint in the CLI. Pure: the webview bundles it too.
import type { DiagnoseFix } from './types';

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

export function describeFix(fix: DiagnoseFix): string {
  switch (fix.kind) {
    case 'enterKey': return 'Enter the key again';
    case 'reverify': return 'Check again';
    case 'openStatusPage': return 'Open the status page';
    case 'openKeyPage': return 'Open the provider\'s key page';
    case 'showLogs': return 'Show the log';
    case 'ignoreEnv': return fix.untrack ? 'Stop tracking .env and ignore it' : 'Add .env to .gitignore';
    case 'generatePassphrase': return 'Generate API_KEY_ENCRYPTION_KEY';
    case 'rotatePassphrase': return 'Rotate API_KEY_ENCRYPTION_KEY';
    case 'copyKeyToEnv': return 'Copy the stored key to .env';
    case 'updateAlias': return `Write the stored key to ${fix.variable}`;
    case 'openFile': return `Open ${baseName(fix.file)}${fix.line ? ` at line ${fix.line}` : ''}`;
  }
}
