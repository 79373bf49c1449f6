// The provider catalog: every fact about a provider lives here, once. Sources: shared provider and Crucible notes.
import { InputError } from './errors';

export type BuiltInProviderId = 'openrouter' | 'openai' | 'anthropic' | 'google' | 'deepseek' | 'xai' | 'eden_ai';
export type ProviderId = BuiltInProviderId | `custom:${string}`;

export type AuthStyle = 'bearer' | 'x-api-key' | 'x-goog-api-key';

/** What a key may do: call the models (inference), or only administer an account (admin, management). */
export type KeyKind = 'inference' | 'admin' | 'management';

/** A prefix that marks a key which administers an account and cannot call the model APIs. */
export interface AccountKeyPrefix {
  prefix: string;
  kind: Exclude<KeyKind, 'inference'>;
}

/** How to check a key without spending tokens: one GET on the provider's API origin (or an override of it). */
export interface VerifyRequest {
  /** Path appended to the origin (or to a custom provider's base URL). */
  path: string;
  auth: AuthStyle;
  headers?: Readonly<Record<string, string>>;
}

export interface ProviderInfo {
  id: ProviderId;
  label: string;
  recommended: boolean;
  /** Variables Crucible reads, in its precedence order (the first that is set wins). */
  readVars: readonly string[];
  /** The variable written into .env: the one Crucible's docs, .env.example and compose file use. */
  writeVar: string;
  /** Known key prefixes, most specific first. Empty when a provider's keys have no prefix. */
  prefixes: readonly string[];
  /** Prefixes of admin or management keys, which Crucible cannot use; saving one warns, checking one rejects it. */
  accountKeyPrefixes?: readonly AccountKeyPrefix[];
  /** The usual full shape of a key; a mismatch is only a hint, never a refusal. */
  shape?: RegExp;
  shapeHint?: string;
  keyPageUrl: string;
  statusPageUrl?: string;
  /** Scheme, host and any base path of the provider's API. */
  apiOrigin: string;
  verify?: VerifyRequest;
  custom?: boolean;
}

export const BUILT_IN_PROVIDERS: readonly ProviderInfo[] = Object.freeze([
  {
    id: 'openrouter', label: 'OpenRouter', recommended: true,
    readVars: ['OPENROUTER_API_KEY', 'ROUNDTABLE_OPENROUTER_API_KEY'], writeVar: 'ROUNDTABLE_OPENROUTER_API_KEY',
    prefixes: ['sk-or-v1-', 'sk-or-'], shape: /^sk-or-v1-[0-9a-f]{64}$/, shapeHint: 'sk-or-v1- followed by 64 hex characters',
    keyPageUrl: 'https://openrouter.ai/settings/keys', statusPageUrl: 'https://status.openrouter.ai',
    apiOrigin: 'https://openrouter.ai', verify: { path: '/api/v1/key', auth: 'bearer' },
  },
  {
    id: 'openai', label: 'OpenAI', recommended: false,
    readVars: ['OPENAI_API_KEY'], writeVar: 'OPENAI_API_KEY',
    prefixes: ['sk-proj-', 'sk-svcacct-', 'sk-admin-', 'sk-'], shape: /^sk-[A-Za-z0-9_-]{20,}$/, shapeHint: 'sk-proj-, sk-svcacct- or sk- followed by letters and digits',
    // "Admin API keys cannot be used for non-administration endpoints" (developers.openai.com API reference,
    // Administration overview); the sk-admin- prefix is the one secret scanners and provider-facts.md record.
    accountKeyPrefixes: [{ prefix: 'sk-admin-', kind: 'admin' }],
    keyPageUrl: 'https://platform.openai.com/api-keys', statusPageUrl: 'https://status.openai.com',
    apiOrigin: 'https://api.openai.com', verify: { path: '/v1/models', auth: 'bearer' },
  },
  {
    id: 'anthropic', label: 'Anthropic', recommended: false,
    readVars: ['ANTHROPIC_API_KEY'], writeVar: 'ANTHROPIC_API_KEY',
    prefixes: ['sk-ant-api03-', 'sk-ant-'], shape: /^sk-ant-[A-Za-z0-9_-]{20,}$/, shapeHint: 'sk-ant-api03- followed by letters, digits, - and _',
    // Admin API keys reach only the organization endpoints (platform.claude.com/docs, Admin API overview; the
    // compliance-api-access page names them "Admin API key (sk-ant-admin01-...)").
    accountKeyPrefixes: [{ prefix: 'sk-ant-admin', kind: 'admin' }],
    // The console moved to platform.claude.com (platform.claude.com/docs/en/get-api-key); status.anthropic.com now
    // redirects to status.claude.com (provider-facts.md, newer findings).
    keyPageUrl: 'https://platform.claude.com/settings/keys', statusPageUrl: 'https://status.claude.com',
    apiOrigin: 'https://api.anthropic.com', verify: { path: '/v1/models', auth: 'x-api-key', headers: { 'anthropic-version': '2023-06-01' } },
  },
  {
    id: 'google', label: 'Google Gemini', recommended: false,
    readVars: ['GOOGLE_API_KEY', 'GEMINI_API_KEY'], writeVar: 'GOOGLE_API_KEY',
    // AI Studio now creates "auth keys" bound to a service account, which need not start with AIza
    // (ai.google.dev/gemini-api/docs/api-key); they start AQ. (Kilo-Org/kilocode#12162, discuss.ai.google.dev threads).
    prefixes: ['AIza', 'AQ.'], shape: /^(?:AIza[0-9A-Za-z_-]{35}|AQ\.[0-9A-Za-z_-]{20,})$/,
    shapeHint: 'AIza followed by 35 characters, or an auth key starting AQ.',
    keyPageUrl: 'https://aistudio.google.com/apikey', statusPageUrl: 'https://aistudio.google.com/status',
    apiOrigin: 'https://generativelanguage.googleapis.com', verify: { path: '/v1beta/models', auth: 'x-goog-api-key' },
  },
  {
    id: 'deepseek', label: 'DeepSeek', recommended: false,
    readVars: ['DEEPSEEK_API_KEY'], writeVar: 'DEEPSEEK_API_KEY',
    prefixes: ['sk-'], shape: /^sk-[0-9a-f]{32}$/, shapeHint: 'sk- followed by 32 hex characters',
    keyPageUrl: 'https://platform.deepseek.com/api_keys', statusPageUrl: 'https://status.deepseek.com',
    apiOrigin: 'https://api.deepseek.com', verify: { path: '/user/balance', auth: 'bearer' },
  },
  {
    id: 'xai', label: 'xAI', recommended: false,
    readVars: ['XAI_API_KEY'], writeVar: 'XAI_API_KEY',
    prefixes: ['xai-'], shape: /^xai-[A-Za-z0-9]{20,}$/, shapeHint: 'xai- followed by letters and digits',
    keyPageUrl: 'https://console.x.ai/team/default/api-keys', statusPageUrl: 'https://status.x.ai',
    apiOrigin: 'https://api.x.ai', verify: { path: '/v1/api-key', auth: 'bearer' },
  },
  {
    id: 'eden_ai', label: 'Eden AI', recommended: false,
    readVars: ['EDEN_AI_API_KEY', 'ROUNDTABLE_EDEN_AI_API_KEY'], writeVar: 'ROUNDTABLE_EDEN_AI_API_KEY',
    // Inference keys start sk-eden-, management keys mgmt-eden- and reach only /v3/manage (edenai/edenai-skill,
    // references/account-and-governance.md); older tokens are JWTs (eyJ…, the docs' own example).
    prefixes: ['sk-eden-', 'mgmt-eden-', 'eyJ'], shapeHint: 'sk-eden-… or an older eyJ… token',
    accountKeyPrefixes: [{ prefix: 'mgmt-eden-', kind: 'management' }],
    // The status page the docs' navigation links to (provider-facts.md, newer findings).
    keyPageUrl: 'https://app.edenai.run', statusPageUrl: 'https://app-edenai.instatus.com',
    apiOrigin: 'https://api.edenai.run', verify: { path: '/v2/cost_management/credits/', auth: 'bearer' },
  },
] satisfies ProviderInfo[]);

/** A user-defined OpenAI-compatible provider, as kept in settings. */
export interface CustomProviderConfig {
  id: string;
  label: string;
  baseUrl: string;
  envVar: string;
  prefix?: string;
  /** When false the provider has no check and verification says `unverifiable`. Default true. */
  verify?: boolean;
}

/** Custom ids: short, lowercase, and never one of the built-in ids. */
const CUSTOM_ID = /^[a-z][a-z0-9_-]{1,31}$/;
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** The passphrase's variable is never a provider's: Import would offer it as a key and Verify would send it away. */
const RESERVED_VARIABLES = new Set(['API_KEY_ENCRYPTION_KEY']);

export class CatalogError extends InputError {
  override name = 'CatalogError';
}

/** Every variable a built-in provider reads or writes: a custom provider may not reuse one. */
export function builtInVariableNames(): Set<string> {
  return new Set(BUILT_IN_PROVIDERS.flatMap((provider) => [...provider.readVars, provider.writeVar]));
}

/**
 * Checks a custom provider and turns it into a catalog entry; throws CatalogError with one clear sentence.
 * Takes `unknown`: settings are hand-edited JSON, so every field's type is checked here.
 */
export function customProvider(raw: unknown): ProviderInfo {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CatalogError('A custom provider must be an object {id, label, baseUrl, envVar}.');
  const config = raw as Record<string, unknown>;
  const id = config.id;
  if (typeof id !== 'string' || !CUSTOM_ID.test(id)) {
    throw new CatalogError(`Custom provider id ${describeValue(id)} must be 2 to 32 lowercase letters, digits, - or _, starting with a letter.`);
  }
  if (isBuiltInProviderId(id)) throw new CatalogError(`Custom provider id "${id}" is a built-in provider's id; choose another.`);
  const name = `Custom provider "${id}"`;
  if (config.label !== undefined && typeof config.label !== 'string') throw new CatalogError(`${name} has a label that is not text.`);
  const label = typeof config.label === 'string' ? config.label.trim().slice(0, 80) : '';
  const envVar = config.envVar;
  if (typeof envVar !== 'string' || !ENV_VAR_NAME.test(envVar)) throw new CatalogError(`${name} needs envVar, a variable name such as GROQ_API_KEY; got ${describeValue(envVar)}.`);
  // Case-insensitively: on Windows the environment ignores case, so Openai_Api_Key would read OPENAI_API_KEY.
  const upper = envVar.toUpperCase();
  if ([...RESERVED_VARIABLES].some((reserved) => reserved.toUpperCase() === upper)) throw new CatalogError(`${name} may not use ${envVar}: that is Crucible's encryption passphrase, not a provider key.`);
  if ([...builtInVariableNames()].some((variable) => variable.toUpperCase() === upper)) throw new CatalogError(`${name} may not use ${envVar}: a built-in provider already reads it.`);
  if (envVar in Object.prototype) throw new CatalogError(`${name} may not use ${envVar}: that name is reserved by JavaScript.`);
  if (typeof config.baseUrl !== 'string') throw new CatalogError(`${name} needs a base URL such as https://host/v1.`);
  let url: URL;
  try {
    url = new URL(config.baseUrl);
  } catch {
    throw new CatalogError(`${name} needs a base URL such as https://host/v1.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CatalogError(`${name} base URL must be http or https.`);
  if (url.username || url.password) throw new CatalogError(`${name} base URL must not carry credentials.`);
  if (url.search || url.hash) throw new CatalogError(`${name} base URL must not have a query or fragment.`);
  if (config.prefix !== undefined && (typeof config.prefix !== 'string' || !/^[\x21-\x7e]{0,40}$/.test(config.prefix))) {
    throw new CatalogError(`${name} has a prefix that is not up to 40 printable ASCII characters.`);
  }
  if (config.verify !== undefined && typeof config.verify !== 'boolean') throw new CatalogError(`${name} has a "verify" that is not true or false.`);
  const prefix = typeof config.prefix === 'string' && config.prefix ? config.prefix : undefined;
  const apiOrigin = url.toString().replace(/\/+$/, '');
  return {
    id: `custom:${id}`, label: label || id, recommended: false, custom: true,
    readVars: [envVar], writeVar: envVar, prefixes: prefix ? [prefix] : [],
    keyPageUrl: apiOrigin, apiOrigin,
    verify: config.verify === false ? undefined : { path: '/models', auth: 'bearer' },
  };
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  return value === undefined ? 'missing' : `of type ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`;
}

export interface CustomProvidersCheck {
  /** The entries that passed, as catalog entries, in settings order. */
  providers: ProviderInfo[];
  /** One sentence per skipped entry, naming it. */
  problems: string[];
}

/** Checks a whole customProviders setting value: bad entries are skipped with a sentence each, never fatal. */
export function checkCustomProviders(raw: unknown): CustomProvidersCheck {
  if (raw === undefined || raw === null) return { providers: [], problems: [] };
  if (!Array.isArray(raw)) return { providers: [], problems: ['crucibleKeys.customProviders must be a list; it was ignored.'] };
  const providers: ProviderInfo[] = [];
  const problems: string[] = [];
  const usedVars = new Map<string, string>();
  raw.forEach((entry, index) => {
    try {
      const provider = customProvider(entry);
      if (providers.some((other) => other.id === provider.id)) throw new CatalogError(`Custom provider id "${provider.id.slice(7)}" is used twice.`);
      const clash = usedVars.get(provider.writeVar.toUpperCase());
      if (clash) throw new CatalogError(`Custom provider "${provider.id.slice(7)}" uses ${provider.writeVar}, which "${clash}" already uses.`);
      usedVars.set(provider.writeVar.toUpperCase(), provider.id.slice(7));
      providers.push(provider);
    } catch (error) {
      if (!(error instanceof CatalogError)) throw error;
      problems.push(`crucibleKeys.customProviders[${index}] was skipped: ${error.message}`);
    }
  });
  return { providers, problems };
}

export class ProviderCatalog {
  private readonly byId = new Map<ProviderId, ProviderInfo>();

  /** Throws CatalogError for the first bad entry; use checkCustomProviders to skip bad entries instead. */
  constructor(custom: readonly unknown[] = []) {
    for (const provider of BUILT_IN_PROVIDERS) this.byId.set(provider.id, provider);
    const checked = checkCustomProviders(custom);
    if (checked.problems.length > 0) throw new CatalogError(checked.problems[0]);
    for (const provider of checked.providers) this.byId.set(provider.id, provider);
  }

  /** The catalog with every custom provider that passes its checks, and a sentence for each one skipped. */
  static lenient(custom: unknown): { catalog: ProviderCatalog; problems: string[] } {
    const checked = checkCustomProviders(custom);
    const catalog = new ProviderCatalog();
    for (const provider of checked.providers) catalog.byId.set(provider.id, provider);
    return { catalog, problems: checked.problems };
  }

  all(): ProviderInfo[] {
    return [...this.byId.values()];
  }

  get(id: string): ProviderInfo | undefined {
    return this.byId.get(id as ProviderId);
  }

  /** Looks a provider up, accepting a custom provider's bare id too; throws CatalogError listing the valid ids. */
  require(id: string): ProviderInfo {
    const provider = this.get(id) ?? this.get(`custom:${id}`);
    if (!provider) throw new CatalogError(`Unknown provider "${id}"; use one of: ${this.all().map((p) => p.id.replace(/^custom:/, '')).join(', ')}.`);
    return provider;
  }

  /** Every variable any provider reads, for import and redaction. */
  allVariableNames(): string[] {
    return [...new Set(this.all().flatMap((provider) => [...provider.readVars, provider.writeVar]))];
  }
}

export function isBuiltInProviderId(id: string): id is BuiltInProviderId {
  return BUILT_IN_PROVIDERS.some((provider) => provider.id === id);
}
