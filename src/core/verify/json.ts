// Reading untyped JSON from providers: narrowing helpers that never throw, whatever the body holds.

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** A finite number, or a numeric string such as DeepSeek's "110.00". */
export const num = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};

/** The value at a dotted path, e.g. "data.limit"; own properties only. */
export function at(json: unknown, path: string): unknown {
  let value = json;
  for (const name of path.split('.')) value = isObject(value) && Object.hasOwn(value, name) ? value[name] : undefined;
  return value;
}
