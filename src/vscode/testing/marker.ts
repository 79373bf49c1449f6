/** A string found only in bundles that carry the test API; the check of what ships looks for it. */
export const TEST_API_MARKER = 'crucible-keys test api: not for release';
