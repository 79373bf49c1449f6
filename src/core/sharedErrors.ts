// The error classes every bundle of the extension shares (dist/errors.js): a class thrown in a lazily loaded bundle
// (the Crucible client, the verifier, the scanner) is recognised with instanceof in the activation bundle only when
// both load this one module instead of each carrying its own copy.
export * from './errors';
export * from './crucible/errors';
