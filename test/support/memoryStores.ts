// In-memory stand-ins for the core's storage ports: what VS Code's SecretStorage and globalState do, for unit tests of
// logic that depends only on the ports. Real SecretStorage is exercised in the integration tier.
import type { KeyValueStore, SecretStore } from '../../src/core/ports';

/**
 * A SecretStore over a Map; several instances over one Map model windows sharing one OS keychain, each with its own
 * hooks. Each call yields once, as VS Code's IPC does, so concurrent callers interleave.
 */
export class MemorySecrets implements SecretStore {
  constructor(readonly map = new Map<string, string>()) {}

  /** Called before every operation: tests use it to crash at a given step or to interleave windows. */
  beforeEach?: (operation: 'get' | 'store' | 'delete' | 'keys', key?: string) => void | Promise<void>;
  operations = 0;

  private async step(operation: 'get' | 'store' | 'delete' | 'keys', key?: string): Promise<void> {
    this.operations++;
    await this.beforeEach?.(operation, key);
    await new Promise((resolve) => setImmediate(resolve));
  }

  async get(key: string) { await this.step('get', key); return this.map.get(key); }
  async store(key: string, value: string) { await this.step('store', key); this.map.set(key, value); }
  async delete(key: string) { await this.step('delete', key); this.map.delete(key); }
  async keys() { await this.step('keys'); return [...this.map.keys()]; }
}

export class MemoryState implements KeyValueStore {
  readonly map = new Map<string, unknown>();
  get<T>(key: string) { return this.map.get(key) as T | undefined; }
  /** As globalState does: a JSON copy is kept, and undefined removes the key. */
  async update(key: string, value: unknown) {
    if (value === undefined) this.map.delete(key);
    else this.map.set(key, JSON.parse(JSON.stringify(value)));
  }
}

/** Thrown by a store set up to fail: stands for VS Code being killed at that moment. */
export class SimulatedCrash extends Error {}
