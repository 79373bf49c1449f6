// @vscode/test-cli style pointer for editors that look for it; npm run test:electron runs the suite itself.
export default {
  files: 'out/integration/*.integration.test.js',
  workspaceFolder: './test/fixtures/crucible-sample',
  mocha: { ui: 'bdd', timeout: 30000 },
};
