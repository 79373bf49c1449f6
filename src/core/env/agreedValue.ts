// The one job of this file: write a value only in a form that npm dotenv, python-dotenv (Crucible's backend) and
// docker compose (compose-go) all read back as exactly the same string, or say which character makes that impossible.
//
// What each form means to each reader (see pythonDotenv.ts and composeDotenv.ts for the ports):
// - unquoted: npm cuts at the first "#"; python-dotenv at whitespace + "#" and expands ${NAME}; compose at " #" and
//   expands $NAME. All three trim the ends (each with its own idea of whitespace) and treat a leading quote specially.
// - '…': python-dotenv turns \\ and \' into \ and ' and expands ${NAME}; compose keeps \x as written and ends at an
//   unescaped '; npm keeps every byte. So: no ', no \\, no trailing \, no ${…}, no line break.
// - "…": npm turns only \n and \r into line breaks; python-dotenv and compose also unescape \\ \" \t and more, and
//   compose expands $NAME. So: no ", no \, no $ before a name, { or $; line breaks are written as \n and \r, which all three read alike.
// - `…`: python-dotenv and compose keep the backticks as part of the value, so backticks are never written.
import { EnvEditError } from './envErrors';

export type AgreedQuote = '' | "'" | '"';

/** Characters that need no quoting anywhere and mean nothing to any reader. */
const PLAIN = /^[A-Za-z0-9_\-.,/+=:@~%^!?*[\]{}()|&;<>]*$/;
/** Whitespace for any of the three readers (JavaScript's \s, Python's str.isspace(), Go's unicode.IsSpace). */
// eslint-disable-next-line no-control-regex -- Python counts U+001C to U+001F as whitespace
const ANY_SPACE = /[\s\x1c-\x1f\x85]/u;
const PYTHON_VARIABLE = /\$\{[^}:]*(?::-[^}]*)?\}/;
/** A "$" that docker compose expands (or refuses) outside single quotes: "$$", "${", or "$" and a name. */
const COMPOSE_DOLLAR = /\$[$_a-zA-Z{]/;

/** A character that no form keeps intact for all readers (or that no environment can hold), with a name people recognise. */
function forbiddenCharacter(value: string): { index: number; description: string } | undefined {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code === 0) return { index, description: 'U+0000, a NUL character, which no environment variable can hold' };
    if (code >= 0xd800 && code <= 0xdfff) {
      const pair = code <= 0xdbff && (value.charCodeAt(index + 1) & 0xfc00) === 0xdc00;
      if (pair) { index++; continue; }
      return { index, description: `an unpaired surrogate (U+${hex(code)}), which is not valid UTF-8` };
    }
  }
  return undefined;
}

function hex(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}

/** Why the value cannot stand unquoted, or undefined when it can. */
function unquotedProblem(value: string): string | undefined {
  if (value.length === 0 || PLAIN.test(value)) return undefined;
  if (value.includes('#')) return '"#"';
  if (COMPOSE_DOLLAR.test(value)) return '"$" before a name, "{" or "$"';
  if (/[\r\n]/.test(value)) return 'a line break';
  if (/^['"]/.test(value)) return `a leading ${value[0]}`;
  if (value.length >= 2 && value.startsWith('`') && value.endsWith('`')) return 'backticks at both ends'; // npm dotenv strips them
  if (ANY_SPACE.test(value[0]) || ANY_SPACE.test(value[value.length - 1])) return 'whitespace at an end';
  return undefined;
}

function singleQuoteProblem(value: string): string | undefined {
  if (value.includes("'")) return `"'"`;
  if (value.includes('\\\\')) return '"\\\\"';
  if (value.endsWith('\\')) return 'final "\\"';
  if (value.includes('\r')) return 'carriage return'; // npm dotenv turns it into a line feed
  return undefined;
}

function doubleQuoteProblem(value: string): string | undefined {
  if (value.includes('"')) return `'"'`;
  if (value.includes('\\')) return '"\\"';
  if (COMPOSE_DOLLAR.test(value)) return '"$" before a name, "{" or "$"';
  return undefined;
}

export type Encoded = { text: string; quote: AgreedQuote };

/**
 * Encodes `value` in a form every reader agrees on, preferring `preferred` when it is one; plain values stay
 * unquoted. Throws EnvEditError naming the character when no such form exists.
 */
export function encodeAgreed(value: string, preferred: string = ''): Encoded {
  const forbidden = forbiddenCharacter(value);
  if (forbidden) throw noForm(`it contains, at position ${forbidden.index + 1}, ${forbidden.description}`);
  if (PYTHON_VARIABLE.test(value)) throw noForm('it contains "${" … "}", which python-dotenv replaces with a variable even inside single quotes');
  const unquoted = unquotedProblem(value);
  const single = singleQuoteProblem(value);
  const double = doubleQuoteProblem(value);
  const forms: Encoded[] = [];
  // A line break is best written as \n inside double quotes, which keeps the assignment on one line.
  const multiline = value.includes('\n');
  if (PLAIN.test(value)) forms.push({ text: value, quote: '' });
  if (!single && !multiline) forms.push({ text: `'${value}'`, quote: "'" });
  if (!double) forms.push({ text: `"${value.replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`, quote: '"' });
  if (!single && multiline) forms.push({ text: `'${value}'`, quote: "'" });
  if (!unquoted) forms.push({ text: value, quote: '' });
  if (forms.length === 0) throw noForm(`it needs quotes (because of ${unquoted}), but single quotes cannot hold its ${single} and double quotes cannot hold its ${double}`);
  if (multiline) return forms[0];
  return forms.find((form) => form.quote === preferred && preferred !== '') ?? forms[0];
}

function noForm(reason: string): EnvEditError {
  return new EnvEditError(`That value cannot be written so that npm dotenv, python-dotenv and docker compose all read it the same: ${reason}.`);
}

/** The quoting styles every reader agrees on; backticks are not one of them. */
export function isAgreedQuote(quote: string): quote is AgreedQuote {
  return quote === '' || quote === "'" || quote === '"';
}
