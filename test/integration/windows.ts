// What the three windows opened in turn (11-, w2-, w3- files) agree on.
import { fakeKey } from '../fakeProviders/keys';

export const WINDOW_KEYS = { openrouter: fakeKey('openrouter', 'valid'), xai: fakeKey('xai', 'valid') };
export const WINDOW_ONE_PASSPHRASE = 'Window-one-project-passphrase-0123456789abc';
