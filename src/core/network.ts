// What the extension loads on its first network request, as one lazily loaded bundle (dist/network.js), so that
// undici ships once and activation never pays for it: the key verifier and the Crucible client.
export { KeyVerifier } from './verify/verifier';
export { CrucibleClient } from './crucible/client';
