// The Diagnose report in the webview: built with DOM APIs (no HTML strings, so no text from the report is ever read as
// markup), a Fix button for each check that has one, and Run again. Fixes are asked for by check id only.
import { describeFix } from '../core/diagnose/fixes';
import type { DiagnoseCheck, DiagnoseReport, Severity } from '../core/diagnose/types';
import type { DiagnoseHostMessage, DiagnoseWebviewMessage } from '../shared/diagnoseProtocol';
import { el, icon, vsCodeApi } from './dom';

const vscode = vsCodeApi<DiagnoseWebviewMessage>();
const app = document.getElementById('app')!;
const live = document.getElementById('live')!;
const pending = new Map<string, (ok: boolean, message?: string) => void>();
let requestCounter = 0;
let hidePassing = (vscode.getState() as { hidePassing?: boolean } | undefined)?.hidePassing ?? false;
let current: DiagnoseReport | undefined;

function request(build: (requestId: string) => DiagnoseWebviewMessage, onDone: (ok: boolean, message?: string) => void): void {
  requestCounter += 1;
  const requestId = `d${requestCounter}`;
  pending.set(requestId, onDone);
  vscode.postMessage(build(requestId));
}

const SEVERITY_ICON: Readonly<Record<Severity, string>> = { ok: 'pass-filled', info: 'info', warning: 'warning', problem: 'error' };
const SEVERITY_WORD: Readonly<Record<Severity, string>> = { ok: 'OK', info: 'Information', warning: 'Warning', problem: 'Problem' };

function announce(text: string): void {
  live.textContent = text;
}

function checkItem(check: DiagnoseCheck): HTMLElement {
  // Announced once, through the page's live region; this paragraph only shows it.
  const status = el('p', { class: 'card-status' });
  const fix = check.fix;
  const fixButton = fix ? el('button', { type: 'button', class: check.severity === 'problem' ? 'primary' : 'secondary' }, icon('wrench'), el('span', {}, describeFix(fix))) : undefined;
  fixButton?.addEventListener('click', () => {
    fixButton.disabled = true;
    status.classList.remove('error');
    status.textContent = 'Working…';
    request((requestId) => ({ type: 'fix', requestId, checkId: check.id }), (ok, message) => {
      fixButton.disabled = false;
      status.textContent = message ?? (ok ? 'Nothing was changed.' : 'That did not work.');
      if (ok && message) status.textContent += ' Run again to see the result.';
      status.classList.toggle('error', !ok);
      announce(status.textContent);
    });
  });
  return el('li', { class: `check severity-${check.severity}`, 'data-check': check.id },
    el('span', { class: 'check-icon' }, icon(SEVERITY_ICON[check.severity]), el('span', { class: 'visually-hidden' }, `${SEVERITY_WORD[check.severity]}: `)),
    el('div', { class: 'check-body' },
      el('p', { class: 'check-title' }, check.title),
      check.detail?.length ? el('ul', { class: 'check-detail muted' }, ...check.detail.map((line) => el('li', {}, line))) : undefined,
      fixButton ? el('div', { class: 'actions' }, fixButton) : undefined,
      fix ? status : undefined));
}

function summary(report: DiagnoseReport): string {
  const { counts } = report;
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  return `${plural(counts.problem, 'problem')}, ${plural(counts.warning, 'warning')}, ${counts.ok} ok.`;
}

function render(report: DiagnoseReport): void {
  const run = el('button', { type: 'button', class: 'primary', id: 'rerun' }, icon('refresh'), el('span', {}, 'Run again'));
  run.addEventListener('click', () => {
    run.disabled = true;
    app.setAttribute('aria-busy', 'true');
    announce('Running Diagnose again…');
    request((requestId) => ({ type: 'rerun', requestId }), (ok, message) => {
      run.disabled = false;
      app.setAttribute('aria-busy', 'false');
      if (!ok) announce(message ?? 'Diagnose could not run again.');
    });
  });
  const toggle = el('input', { type: 'checkbox', id: 'hide-passing' });
  toggle.checked = hidePassing;
  toggle.addEventListener('change', () => {
    hidePassing = toggle.checked;
    vscode.setState({ hidePassing });
    if (current) render(current);
  });
  const sections = report.sections.map((section) => {
    const shown = section.checks.filter((check) => !hidePassing || check.severity === 'problem' || check.severity === 'warning');
    if (shown.length === 0) return undefined;
    return el('section', { class: 'section', 'aria-labelledby': `section-${section.id}` },
      el('h2', { id: `section-${section.id}` }, section.title),
      el('ul', { class: 'checks' }, ...shown.map(checkItem)));
  });
  const where = report.envFile ?? report.folder;
  app.replaceChildren(
    el('header', { class: 'page-header' },
      el('div', {},
        el('h1', {}, 'Diagnose'),
        el('p', { class: 'muted' }, where ? `${where} · ` : '', `${report.providers.length ? report.providers.join(', ') : 'no provider keys'} · ${new Date(report.generatedAt).toLocaleString()}`)),
      el('div', { class: 'actions' }, el('label', { for: 'hide-passing', class: 'toggle' }, toggle, ' Problems and warnings only'), run)),
    el('p', { class: `summary${report.counts.problem ? ' has-problems' : ''}`, role: 'status' }, summary(report)),
    ...sections.filter((section): section is HTMLElement => section !== undefined),
    ...(sections.every((section) => section === undefined) ? [el('p', { class: 'muted' }, 'Nothing to show.')] : []));
  app.setAttribute('aria-busy', 'false');
}

window.addEventListener('message', (event: MessageEvent<DiagnoseHostMessage>) => {
  const message = event.data;
  if (message?.type === 'report') {
    current = message.report;
    render(message.report);
    announce(`Diagnose: ${summary(message.report)}`);
  } else if (message?.type === 'response') {
    pending.get(message.requestId)?.(message.ok, message.message);
    pending.delete(message.requestId);
  }
});

vscode.postMessage({ type: 'ready' });
