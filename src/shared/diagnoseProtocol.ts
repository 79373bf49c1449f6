// The Diagnose panel's messages, shared as types by the host and the webview. The webview speaks first with `ready`;
// the host then sends the report. A fix is asked for by the id of its check only: the host takes the fix itself from
// the report it sent, so no path, provider or command ever comes from the webview.
import type { DiagnoseReport } from '../core/diagnose/types';

export type DiagnoseWebviewMessage =
  | { type: 'ready' }
  | { type: 'fix'; requestId: string; checkId: string }
  | { type: 'rerun'; requestId: string };

export type DiagnoseHostMessage =
  | { type: 'report'; report: DiagnoseReport }
  | { type: 'response'; requestId: string; ok: boolean; message?: string };

const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_CHECK_ID = 512;

/**
 * Checks a message from the Diagnose webview; `fixable` holds the ids of the shown report's checks that have a fix.
 * Returns the typed message, or why it was refused (for a warn-level log line).
 */
export function validateDiagnoseMessage(raw: unknown, fixable: ReadonlySet<string>): { ok: true; message: DiagnoseWebviewMessage } | { ok: false; reason: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || typeof (raw as { type?: unknown }).type !== 'string') return { ok: false, reason: 'not an object with a type' };
  const message = raw as Record<string, unknown>;
  const type = message.type as string;
  const only = (...names: string[]) => Object.keys(message).every((name) => name === 'type' || names.includes(name));
  const requestId = typeof message.requestId === 'string' && REQUEST_ID.test(message.requestId) ? message.requestId : undefined;
  switch (type) {
    case 'ready':
      return only() ? { ok: true, message: { type } } : { ok: false, reason: 'ready: unexpected fields' };
    case 'rerun':
      return only('requestId') && requestId ? { ok: true, message: { type, requestId } } : { ok: false, reason: 'rerun: needs requestId only' };
    case 'fix': {
      const checkId = message.checkId;
      if (!only('requestId', 'checkId') || !requestId || typeof checkId !== 'string' || checkId.length > MAX_CHECK_ID) return { ok: false, reason: 'fix: needs requestId and checkId' };
      if (!fixable.has(checkId)) return { ok: false, reason: 'fix: no check of the report shown has that id and a fix' };
      return { ok: true, message: { type, requestId, checkId } };
    }
    default:
      return { ok: false, reason: `unknown message type ${JSON.stringify(type).slice(0, 40)}` };
  }
}
