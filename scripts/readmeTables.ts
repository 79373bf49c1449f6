// The README's generated tables: the verdict rules as the classifier reads them, and each provider's key and status
// pages from the catalog. Generated, so that the README cannot drift from the code (a unit test compares them).
import { BUILT_IN_PROVIDERS } from '../src/core/catalog';
import { OperationError } from '../src/core/errors';
import { accountKeySentence, inferencePrefixes } from '../src/core/keyKind';
import { VERDICT_RULES, type StatusMatch } from '../src/core/verify/rules';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const row = (cells: string[]): string => `| ${cells.map(cell).join(' | ')} |`;

function statusText(status: StatusMatch): string {
  return status === 'any' ? 'any other' : typeof status === 'string' ? status : status.join(', ');
}

/** One row per rule, in the order the classifier reads them; admin and management prefixes come first (no request). */
export function verdictTable(): string {
  const rows = [
    row(['provider', 'HTTP status', 'body marker', 'verdict', 'message (and note)', 'source']),
    row(['---', '---', '---', '---', '---', '---']),
  ];
  for (const provider of BUILT_IN_PROVIDERS) {
    for (const entry of provider.accountKeyPrefixes ?? []) {
      rows.push(row([provider.id, 'none: not sent', `the key starts with \`${entry.prefix}\``, 'rejected', accountKeySentence(provider, entry), 'src/core/catalog.ts (cited there)']));
    }
  }
  for (const rule of VERDICT_RULES) {
    const message = rule.note ? `${rule.message} *Note: ${rule.note}.*` : rule.message;
    rows.push(row([rule.provider === '*' ? 'any' : rule.provider, statusText(rule.status), rule.marker?.text ?? 'any', rule.verdict, message, rule.source ?? '']));
  }
  return rows.join('\n');
}

/** Where each provider's keys are made and its status is shown. */
export function providerPagesTable(): string {
  const rows = [row(['provider', 'keys start with', 'get a key', 'status page']), row(['---', '---', '---', '---'])];
  for (const provider of BUILT_IN_PROVIDERS) {
    rows.push(row([provider.id, inferencePrefixes(provider).map((prefix) => `\`${prefix}\``).join(', '), provider.keyPageUrl, provider.statusPageUrl ?? '']));
  }
  return rows.join('\n');
}

export const TABLES: Record<string, () => string> = { 'verdict-table': verdictTable, 'provider-pages': providerPagesTable };

/** The README with every generated table replaced between its `<!-- NAME:start … -->` and `<!-- NAME:end -->` lines. */
export function withGeneratedTables(readme: string): string {
  let text = readme;
  for (const [name, render] of Object.entries(TABLES)) {
    const block = new RegExp(`(<!-- ${name}:start[^\\n]*-->\\n)(?:[\\s\\S]*?\\n)?(<!-- ${name}:end -->)`);
    if (!block.test(text)) throw new OperationError(`README.md has no "<!-- ${name}:start -->" … "<!-- ${name}:end -->" block to fill.`);
    text = text.replace(block, (_match, start: string, end: string) => `${start}${render()}\n${end}`);
  }
  return text;
}
