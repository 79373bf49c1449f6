// The provider catalog: every fact about a provider lives here, once. Sources: shared provider and Crucible notes.
import { InputError } from './errors';

export type BuiltInProviderId = 'openrouter' | 'openai' | 'anthropic' | 'google' | 'deepseek' | 'xai' | 'eden_ai';
export type ProviderId = BuiltInProviderId | `custom:${string}`;

export type AuthStyle = 'bearer' | 'x-api-key' | 'x-goog-api-key';

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
    keyPageUrl: 'https://platform.openai.com/api-keys', statusPageUrl: 'https://status.openai.com',
    apiOrigin: 'https://api.openai.com', verify: { path: '/v1/models', auth: 'bearer' },
  },
  {
    id: 'anthropic', label: 'Anthropic', recommended: false,
    readVars: ['ANTHROPIC_API_KEY'], writeVar: 'ANTHROPIC_API_KEY',
    prefixes: ['sk-ant-api03-', 'sk-ant-'], shape: /^sk-ant-[A-Za-z0-9_-]{20,}$/, shapeHint: 'sk-ant-api03- followed by letters, digits, - and _',
    keyPageUrl: 'https://console.anthropic.com/settings/keys', statusPageUrl: 'https://status.anthropic.com',
    apiOrigin: 'https://api.anthropic.com', verify: { path: '/v1/models', auth: 'x-api-key', headers: { 'anthropic-version': '2023-06-01' } },
  },
  {
    id: 'google', label: 'Google Gemini', recommended: false,
    readVars: ['GOOGLE_API_KEY', 'GEMINI_API_KEY'], writeVar: 'GOOGLE_API_KEY',
    prefixes: ['AIza'], shape: /^AIza[0-9A-Za-z_-]{35}$/, shapeHint: 'AIza followed by 35 characters',
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
    prefixes: ['sk-eden-', 'eyJ'], shapeHint: 'sk-eden-… or an older eyJ… token',
    keyPageUrl: 'https://app.edenai.run',
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

const CUSTOM_ID = /^[a-z][a-z0-9_-]{0,39}$/;
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class CatalogError extends InputError {
  override name = 'CatalogError';
}

/** Checks a custom provider and turns it into a catalog entry; throws CatalogError with one clear sentence. */
export function customProvider(config: CustomProviderConfig): ProviderInfo {
  if (!CUSTOM_ID.test(config.id)) throw new CatalogError(`Custom provider id "${config.id}" must be lowercase letters, digits, - or _, starting with a letter.`);
  if (!ENV_VAR_NAME.test(config.envVar)) throw new CatalogError(`Custom provider "${config.id}" has an invalid variable name "${config.envVar}".`);
  let url: URL;
  try {
    url = new URL(config.baseUrl);
  } catch {
    throw new CatalogError(`Custom provider "${config.id}" needs a base URL such as https://host/v1.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CatalogError(`Custom provider "${config.id}" base URL must be http or https.`);
  if (url.username || url.password) throw new CatalogError(`Custom provider "${config.id}" base URL must not carry credentials.`);
  const apiOrigin = url.toString().replace(/\/+$/, '');
  return {
    id: `custom:${config.id}`, label: config.label.trim() || config.id, recommended: false, custom: true,
    readVars: [config.envVar], writeVar: config.envVar, prefixes: config.prefix ? [config.prefix] : [],
    keyPageUrl: apiOrigin, apiOrigin,
    verify: config.verify === false ? undefined : { path: '/models', auth: 'bearer' },
  };
}

export class ProviderCatalog {
  private readonly byId = new Map<ProviderId, ProviderInfo>();

  constructor(custom: readonly CustomProviderConfig[] = []) {
    for (const provider of BUILT_IN_PROVIDERS) this.byId.set(provider.id, provider);
    for (const config of custom) {
      const provider = customProvider(config);
      if (this.byId.has(provider.id)) throw new CatalogError(`Custom provider id "${config.id}" is used twice.`);
      this.byId.set(provider.id, provider);
    }
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
