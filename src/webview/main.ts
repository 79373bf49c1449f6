// The settings panel in the webview. Renders the host's state with DOM APIs (no HTML strings), sends actions as
// typed messages, and clears a key field the moment its key is sent. Nothing secret is ever kept here.
import { el, icon, vsCodeApi } from './dom';
import type { CrucibleAction, HostMessage, PanelCrucible, PanelCustomProvider, PanelProject, PanelProvider, PanelState, ProjectPassphraseAction, WebviewMessage } from '../shared/protocol';

const vscode = vsCodeApi<WebviewMessage>();
const app = document.getElementById('app')!;
const live = document.getElementById('live')!;
const pending = new Map<string, (ok: boolean, message?: string) => void>();
let requestCounter = 0;
let current: PanelState | undefined;
let editingCustom: string | undefined;

function post(message: WebviewMessage): void {
  vscode.postMessage(message);
}

function request<T extends WebviewMessage & { requestId: string }>(build: (requestId: string) => T, onDone?: (ok: boolean, message?: string) => void): void {
  requestCounter += 1;
  const requestId = `r${requestCounter}`;
  if (onDone) pending.set(requestId, onDone);
  post(build(requestId));
}

function button(label: string, iconName: string, onClick: () => void, options: { primary?: boolean; title?: string; disabled?: boolean } = {}): HTMLButtonElement {
  const node = el('button', { type: 'button', class: options.primary ? 'primary' : 'secondary', title: options.title ?? label }, icon(iconName), el('span', {}, label));
  if (options.disabled) node.disabled = true;
  node.addEventListener('click', onClick);
  return node;
}

function announce(text: string): void {
  live.textContent = text;
}

const BADGE_ICON: Record<string, string> = {
  not_set: 'circle-large-outline', unverified: 'circle-large-filled', valid: 'pass-filled', rejected: 'error', no_credit: 'credit-card',
  rate_limited: 'watch', unreachable: 'debug-disconnect', provider_error: 'warning', unverifiable: 'question', locked: 'lock', rotation_due: 'history',
};

function providerCard(provider: PanelProvider): HTMLElement {
  const fieldId = `key-${provider.id.replace(/[^a-z0-9_-]/gi, '-')}`;
  const status = el('p', { class: 'card-status', role: 'status' });
  const input = el('input', { id: fieldId, type: 'password', autocomplete: 'off', spellcheck: 'false', placeholder: provider.masked ? `Replace ${provider.masked}` : `${provider.keyPrefix ?? ''}…`, 'aria-describedby': `${fieldId}-hint` });
  const send = (verify: boolean) => {
    const key = input.value;
    input.value = ''; // the key leaves the webview once, and the field clears at once
    if (!key.trim()) {
      status.textContent = 'Paste a key first.';
      input.focus();
      return;
    }
    status.textContent = verify ? 'Saving and checking…' : 'Saving…';
    request((requestId) => ({ type: 'saveKey', requestId, provider: provider.id, key, verify }), (ok, message) => {
      status.textContent = message ?? (ok ? 'Done.' : 'Failed.');
      status.classList.toggle('error', !ok);
      announce(status.textContent);
    });
  };
  input.addEventListener('keydown', (event) => { if (event.key === 'Enter') send(true); });
  const has = provider.status !== 'not_set';
  const facts = [provider.credits, provider.usage, provider.rateLimit, provider.checkedAgo ? `checked ${provider.checkedAgo}` : undefined, provider.keyAge ? `added ${provider.keyAge}` : undefined, provider.expires ? `expires ${provider.expires}` : undefined].filter(Boolean) as string[];
  const card = el('section', { class: `card status-${provider.status}`, 'aria-labelledby': `${fieldId}-title`, 'data-provider': provider.id },
    el('header', { class: 'card-header' },
      el('h3', { id: `${fieldId}-title` }, provider.label, provider.recommended ? el('span', { class: 'tag' }, 'recommended') : undefined, provider.custom ? el('span', { class: 'tag' }, 'custom') : undefined),
      el('span', { class: `badge badge-${provider.status}`, 'data-status': provider.status }, icon(provider.verifying ? 'loading codicon-modifier-spin' : BADGE_ICON[provider.status] ?? 'circle'), el('span', {}, provider.statusLabel))),
    el('p', { class: 'masked' }, has ? el('code', {}, provider.masked ?? '') : el('span', { class: 'muted' }, 'No key stored.'), el('span', { class: 'muted' }, ` → ${provider.writeVar}`)),
    facts.length ? el('p', { class: 'facts muted' }, facts.join(' · ')) : undefined,
    provider.message ? el('p', { class: 'message' }, provider.message) : undefined,
    provider.warning ? el('p', { class: 'git warn' }, icon('warning'), ` ${provider.warning}`) : undefined,
    el('label', { for: fieldId, class: 'field-label' }, has ? `New ${provider.label} key` : `${provider.label} API key`),
    input,
    el('span', { id: `${fieldId}-hint`, class: 'visually-hidden' }, 'The key is encrypted before it is stored and is never shown again.'),
    el('div', { class: 'actions' },
      button('Save', 'save', () => send(false)),
      button('Save & verify', 'pass', () => send(true), { primary: true }),
      button('Verify', 'refresh', () => { status.textContent = 'Checking…'; request((requestId) => ({ type: 'verifyKey', requestId, provider: provider.id }), (ok, message) => { status.textContent = message ?? ''; status.classList.toggle('error', !ok); }); }, { disabled: !has || !provider.verifiable }),
      button('Remove', 'trash', () => request((requestId) => ({ type: 'removeKey', requestId, provider: provider.id }), (_ok, message) => { status.textContent = message ?? ''; }), { disabled: !has }),
      button('Copy to .env', 'export', () => request((requestId) => ({ type: 'copyToEnv', requestId, provider: provider.id })), { disabled: !has })),
    el('div', { class: 'links' },
      linkButton('Get a key', 'link-external', () => post({ type: 'openPage', provider: provider.id, page: 'key' })),
      provider.hasStatusPage ? linkButton('Status page', 'pulse', () => post({ type: 'openPage', provider: provider.id, page: 'status' })) : undefined),
    status);
  return card;
}

function linkButton(label: string, iconName: string, onClick: () => void): HTMLButtonElement {
  const node = el('button', { type: 'button', class: 'link' }, icon(iconName), el('span', {}, label));
  node.addEventListener('click', onClick);
  return node;
}

function encryptionSection(state: PanelState): HTMLElement {
  const { encryption } = state;
  const status = el('p', { class: 'card-status', role: 'status' });
  const done = (ok: boolean, message?: string) => { status.textContent = message ?? ''; status.classList.toggle('error', !ok); };
  return el('section', { class: 'section', 'aria-labelledby': 'encryption-title' },
    el('h2', { id: 'encryption-title' }, icon('shield'), ' Vault'),
    el('p', {}, 'Stored keys are Fernet tokens, encrypted the way Crucible encrypts them, under ', el('strong', {}, encryption.vaultLabel), '. It is the same in every window; no project or shell changes it.'),
    encryption.environment ? el('p', { class: `strength strength-${encryption.environment.strengthVerdict}` }, icon(encryption.environment.strengthVerdict === 'ok' ? 'info' : 'warning'),
      ' VS Code\'s environment sets ', el('code', {}, 'API_KEY_ENCRYPTION_KEY'), `: that is a project's passphrase, not the vault's. ${encryption.environment.strengthMessage}`) : undefined,
    encryption.rotationInProgress ? el('p', { class: 'muted' }, icon('sync'), ' A rotation of the vault passphrase is in progress; it finishes on its own.') : undefined,
    encryption.lockedCount > 0 ? el('div', { class: 'locked-banner', role: 'alert' }, icon('lock'), ` ${encryption.lockedCount} key${encryption.lockedCount === 1 ? ' is' : 's are'} locked: no passphrase Crucible Keys knows opens ${encryption.lockedCount === 1 ? 'it' : 'them'}. Nothing was deleted. `,
      button('Unlock', 'unlock', () => request((requestId) => ({ type: 'unlock', requestId }), done), { primary: true })) : undefined,
    el('div', { class: 'actions' },
      button('Rotate vault passphrase', 'sync', () => request((requestId) => ({ type: 'rotateVault', requestId }), done), { disabled: !encryption.vaultReady })),
    status);
}

function projectPassphrase(project: PanelProject, status: HTMLElement): HTMLElement {
  const done = (ok: boolean, message?: string) => { status.textContent = message ?? ''; status.classList.toggle('error', !ok); };
  const act = (type: ProjectPassphraseAction) => () => request((requestId) => ({ type, requestId, folder: project.folder }), done);
  const { passphrase } = project;
  const text = passphrase.state === 'restricted' ? 'unknown in Restricted Mode (the workspace is not trusted)'
    : passphrase.state === 'unreadable' ? 'unreadable' : passphrase.state === 'missing' ? 'not set' : passphrase.strengthMessage ?? 'set';
  const facts = [passphrase.state === 'set' ? (passphrase.backedUp ? 'backed up in secret storage' : 'not backed up yet') : '', passphrase.backups ? `${passphrase.backups} value${passphrase.backups === 1 ? '' : 's'} kept` : '', passphrase.sameAsVault ? 'same as the vault passphrase' : ''].filter(Boolean).join(' · ');
  const ok = passphrase.state === 'set' && passphrase.strengthVerdict === 'ok';
  return el('div', { class: 'project-passphrase' },
    el('p', { class: ok ? 'git ok' : 'git warn' }, icon(ok ? 'pass' : 'warning'), ' ', el('code', {}, 'API_KEY_ENCRYPTION_KEY'), `: ${text}`),
    facts ? el('p', { class: 'facts muted' }, facts) : undefined,
    el('div', { class: 'actions' },
      passphrase.state === 'missing' ? button('Generate', 'key', act('generateProjectKey'), { primary: true }) : undefined,
      passphrase.state === 'set' ? button('Rotate', 'sync', act('rotateProjectKey')) : undefined,
      passphrase.backups > 0 && passphrase.state !== 'restricted' ? button('Restore from backup', 'history', act('restoreProjectKey')) : undefined,
      passphrase.state === 'set' && !passphrase.sameAsVault ? button('Use for the vault', 'shield', act('adoptProjectKey')) : undefined,
      passphrase.state !== 'restricted' && !passphrase.sameAsVault ? button('Write vault passphrase here', 'export', act('vaultKeyToProject')) : undefined));
}

function projectSection(projects: PanelProject[]): HTMLElement {
  return el('section', { class: 'section', 'aria-labelledby': 'project-title' },
    el('h2', { id: 'project-title' }, icon('folder'), ' Projects'),
    projects.length === 0 ? el('p', { class: 'muted' }, 'Open your Crucible checkout to manage its .env file.') : undefined,
    ...projects.map((project) => {
      const status = el('p', { class: 'card-status', role: 'status' });
      const safe = project.gitState === 'ignored' || project.gitState === 'not_a_repo';
      return el('div', { class: 'project', 'data-folder': project.folder },
        el('h3', {}, project.name, ' ', el('code', {}, project.envFile), project.exists ? undefined : el('span', { class: 'muted' }, ' (not created yet)')),
        project.problem ? el('p', { class: 'git warn' }, icon('error'), ` ${project.problem}`) : undefined,
        el('p', { class: safe ? 'git ok' : 'git warn' }, icon(safe ? 'pass' : 'warning'), ` ${project.gitMessage}`),
        project.fix ? button(project.fix === 'untrack' ? 'Stop tracking and ignore' : 'Add to .gitignore', 'wand', () => request((requestId) => ({ type: 'fixGitSafety', requestId, folder: project.folder }), (ok, message) => { status.textContent = message ?? ''; status.classList.toggle('error', !ok); }), { primary: true }) : undefined,
        project.problem ? undefined : projectPassphrase(project, status),
        project.variables.length
          ? el('ul', { class: 'variables', 'aria-label': 'Variables Crucible will read' }, ...project.variables.map((variable) => el('li', { class: variable.used ? '' : 'muted' }, el('code', {}, variable.name), variable.provider ? ` ${variable.provider}${variable.used ? '' : ' (shadowed by an earlier alias)'}` : '')))
          : el('p', { class: 'muted' }, 'No key variables set in this file yet.'),
        status);
    }));
}

const CRUCIBLE_STATE_ICON: Record<string, string> = {
  same: 'pass', different: 'diff', only_in_crucible: 'cloud', only_in_vault: 'key', unreadable: 'error', unrecognised: 'question',
};

/** What a running Crucible holds, compared with the active profile; every button asks again in VS Code. */
function crucibleSection(crucible: PanelCrucible): HTMLElement {
  const status = el('p', { class: 'card-status', role: 'status' });
  const act = (action: CrucibleAction, provider?: string) => () => {
    status.textContent = 'Working…';
    request((requestId) => ({ type: 'crucible', requestId, action, ...(provider ? { provider } : {}) }), (ok, message) => {
      status.textContent = message ?? '';
      status.classList.toggle('error', !ok);
      announce(status.textContent);
    });
  };
  const connected = crucible.connection === 'connected';
  const where = crucible.apiUrl ?? 'no usable address (crucibleKeys.crucible.apiUrl)';
  return el('section', { class: 'section crucible', 'aria-labelledby': 'crucible-title', 'data-connection': crucible.connection },
    el('h2', { id: 'crucible-title' }, icon('server'), ' Crucible'),
    el('p', {}, el('strong', {}, crucible.connectionLabel), ' · ', el('code', {}, where), crucible.version ? ` · version ${crucible.version}` : '',
      connected ? el('span', { class: 'muted' }, ` · compared with the ${crucible.profile} profile`) : undefined),
    crucible.message ? el('p', { class: crucible.connection === 'failed' ? 'git warn' : 'muted' }, icon(crucible.connection === 'failed' ? 'error' : 'info'), ` ${crucible.message}`) : undefined,
    crucible.warning ? el('p', { class: 'git warn' }, icon('warning'), ` ${crucible.warning}`) : undefined,
    crucible.unreadable.length ? el('div', { class: 'locked-banner', role: 'alert' }, icon('warning'),
      ` Crucible can no longer read ${crucible.unreadable.join(', ')}: its API_KEY_ENCRYPTION_KEY changed. `,
      button('Re-enter from the vault', 'debug-restart', act('reenter'), { primary: true })) : undefined,
    crucible.rotation ? el('div', { class: 'locked-banner' }, icon('debug-pause'),
      ` A rotation of Crucible's encryption key (started ${crucible.rotation.startedAt}) stopped before step ${crucible.rotation.step} of ${crucible.rotation.of}. `,
      button('Resume or abandon', 'sync', act('rotate'), { primary: true })) : undefined,
    connected && crucible.providers.length
      ? el('ul', { class: 'variables crucible-keys', 'aria-label': 'What Crucible holds' }, ...crucible.providers.map((entry) => el('li', { 'data-crucible-provider': entry.id, 'data-state': entry.state, title: entry.message },
        icon(CRUCIBLE_STATE_ICON[entry.state] ?? 'circle'), ' ', el('strong', {}, entry.label), ` ${entry.stateLabel}`, entry.mask ? el('span', { class: 'muted' }, ` · ${entry.mask}`) : undefined)),
        ...crucible.others.map((other) => el('li', { class: 'muted' }, icon('cloud'), ' ', el('code', {}, other.id), ` only in Crucible · ${other.mask}`)))
      : connected ? el('p', { class: 'muted' }, 'Crucible holds no keys, and this profile has none it uses.') : undefined,
    el('div', { class: 'actions' },
      connected ? undefined : button('Connect', 'plug', act('connect'), { primary: true }),
      connected ? button('Push keys', 'cloud-upload', act('push'), { primary: true }) : undefined,
      connected ? button('Refresh', 'refresh', act('refresh')) : undefined,
      connected ? button('Remove keys', 'trash', act('remove'), { disabled: !crucible.providers.some((entry) => entry.inCrucible) }) : undefined,
      connected ? button('Rotate Crucible\'s encryption key', 'sync', act('rotate')) : undefined),
    status);
}

/** Empties the custom provider form as it is now on the page (render keeps typed values, so leaving edit mode clears first). */
function clearCustomForm(): void {
  for (const input of app.querySelectorAll<HTMLInputElement>('form.custom-form input')) input.value = '';
}

function customSection(customs: PanelCustomProvider[]): HTMLElement {
  const status = el('p', { class: 'card-status', role: 'status' });
  const editing = customs.find((entry) => entry.id === editingCustom);
  const field = (name: keyof PanelCustomProvider, label: string, placeholder: string) => {
    const input = el('input', { id: `custom-${name}`, name, type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder });
    input.value = (editing?.[name] as string | undefined) ?? '';
    return [el('label', { for: `custom-${name}`, class: 'field-label' }, label), input] as const;
  };
  const fields = [field('id', 'Id', 'groq'), field('label', 'Name', 'Groq'), field('baseUrl', 'Base URL', 'https://api.groq.com/openai/v1'), field('envVar', '.env variable', 'GROQ_API_KEY'), field('prefix', 'Key prefix (optional)', 'gsk_')];
  const form = el('form', { class: 'custom-form', 'aria-label': editing ? `Edit ${editing.label}` : 'Add a custom provider' }, ...fields.flat(),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary' }, icon(editing ? 'save' : 'add'), el('span', {}, editing ? 'Save changes' : 'Add provider')),
      editing ? button('Cancel', 'close', () => { editingCustom = undefined; clearCustomForm(); render(); }) : undefined));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = (name: string) => (form.querySelector(`[name="${name}"]`) as HTMLInputElement).value.trim();
    const provider: PanelCustomProvider = { id: value('id'), label: value('label'), baseUrl: value('baseUrl'), envVar: value('envVar'), ...(value('prefix') ? { prefix: value('prefix') } : {}) };
    request((requestId) => ({ type: 'saveCustomProvider', requestId, provider, ...(editing ? { replaces: editing.id } : {}) }), (ok, message) => {
      status.textContent = message ?? '';
      status.classList.toggle('error', !ok);
      if (!ok) return;
      editingCustom = undefined;
      clearCustomForm();
      render();
      announce(message ?? 'Saved.');
    });
  });
  return el('section', { class: 'section', 'aria-labelledby': 'custom-title' },
    el('h2', { id: 'custom-title' }, icon('plug'), ' Custom OpenAI-compatible providers'),
    customs.length ? el('ul', { class: 'custom-list' }, ...customs.map((entry) => el('li', {}, el('strong', {}, entry.label), ' ', el('code', {}, entry.baseUrl), ' → ', el('code', {}, entry.envVar), ' ',
      button('Edit', 'edit', () => { editingCustom = entry.id; clearCustomForm(); render(); }),
      button('Remove', 'trash', () => request((requestId) => ({ type: 'removeCustomProvider', requestId, id: entry.id }), (ok, message) => { status.textContent = message ?? ''; status.classList.toggle('error', !ok); }))))) : el('p', { class: 'muted' }, 'None yet. Any endpoint with GET /models works.'),
    form, status);
}

function render(): void {
  const state = current;
  if (!state) return;
  const focusedId = document.activeElement instanceof HTMLElement ? document.activeElement.id : '';
  const typed = new Map<string, string>();
  // Whatever the user is typing (a key included) survives a state update; it lives only in this DOM.
  for (const input of app.querySelectorAll<HTMLInputElement>('input')) if (input.value) typed.set(input.id, input.value);
  const profile = el('select', { id: 'profile', 'aria-label': 'Key profile' }, ...state.profiles.map((name) => {
    const option = el('option', { value: name }, name);
    if (name === state.profile) option.selected = true;
    return option;
  }));
  profile.addEventListener('change', () => request((requestId) => ({ type: 'switchProfile', requestId, profile: profile.value }), (ok, message) => { if (!ok && message) announce(message); }));
  app.replaceChildren(
    el('header', { class: 'page-header' },
      el('h1', {}, icon('key'), ' API Keys'),
      el('label', { class: 'profile', for: 'profile' }, icon('layers'), ' Profile ', profile),
      el('div', { class: 'actions' },
        button('Verify all', 'check-all', () => request((requestId) => ({ type: 'verifyAll', requestId })), { primary: true }),
        button('Copy all to .env', 'export', () => request((requestId) => ({ type: 'copyToEnv', requestId }))),
        button('Logs', 'output', () => post({ type: 'showLogs' })))),
    el('section', { class: 'section', 'aria-labelledby': 'providers-title' },
      el('h2', { id: 'providers-title' }, icon('plug'), ' Providers'),
      el('div', { class: 'cards' }, ...state.providers.map(providerCard))),
    encryptionSection(state),
    crucibleSection(state.crucible),
    projectSection(state.projects),
    customSection(state.customProviders));
  app.setAttribute('aria-busy', 'false');
  for (const [id, value] of typed) {
    const input = document.getElementById(id) as HTMLInputElement | null;
    if (input && !input.value) input.value = value;
  }
  if (focusedId) document.getElementById(focusedId)?.focus();
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  if (!message || typeof message !== 'object') return;
  switch (message.type) {
    case 'state':
      current = message.state;
      render();
      break;
    case 'response': {
      const done = pending.get(message.requestId);
      pending.delete(message.requestId);
      done?.(message.ok, message.message);
      if (!done && message.message) announce(message.message);
      break;
    }
    default: {
      const unhandled: never = message; // every host message type is handled above
      void unhandled;
    }
  }
});

// Only which custom provider is being edited survives a reload; keys and state come fresh from the host.
const saved = vscode.getState() as { editingCustom?: string } | undefined;
editingCustom = saved?.editingCustom;
window.addEventListener('beforeunload', () => vscode.setState({ editingCustom }));
post({ type: 'ready' });
