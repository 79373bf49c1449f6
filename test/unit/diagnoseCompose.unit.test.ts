// Diagnose and docker compose: what reaches each service, over Crucible's own compose file and variants of it, and
// the YAML reader against hostile files (alias bombs, deep nesting, complex keys, huge files).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MAX_COMPOSE_BYTES } from '../../src/core/diagnose/composeChecks';
import { readComposeModel } from '../../src/core/diagnose/composeModel';
import { parseShortVolume, templateReferences } from '../../src/core/diagnose/composeRoutes';
import { check, checks, diagnose, ids, KEYS, PASSPHRASE, project } from '../support/diagnose';

const CRUCIBLE_COMPOSE = readFileSync(path.join(__dirname, '..', 'fixtures', 'compose', 'crucible', 'docker-compose.yml'), 'utf8');
const FULL_ENV = `API_KEY_ENCRYPTION_KEY=${PASSPHRASE}\nROUNDTABLE_OPENROUTER_API_KEY=${KEYS.openrouter}\nROUNDTABLE_EDEN_AI_API_KEY=${KEYS.eden}\nOPENAI_API_KEY=${KEYS.openai}\n`;

describe('Diagnose: Crucible\'s compose file', () => {
  it('says exactly what the API and the worker get, and what the worker does not', async () => {
    const dir = project({ 'docker-compose.yml': CRUCIBLE_COMPOSE, '.env': FULL_ENV });
    const report = await diagnose(dir);
    const at = (id: string) => check(report, `compose.service:docker-compose.yml:${id}`);
    assert.equal(at('api:openrouter').title, 'api gets the OpenRouter key (sk-or-v1-…2c3d) as ROUNDTABLE_OPENROUTER_API_KEY through environment:.');
    assert.equal(at('api:eden_ai').title, `api gets the Eden AI key (sk-eden-…${KEYS.eden.slice(-4)}) as ROUNDTABLE_EDEN_AI_API_KEY through environment:.`);
    assert.equal(at('api:openai').title, `api gets the OpenAI key (sk-proj-…${KEYS.openai.slice(-4)}) as OPENAI_API_KEY from the .env mounted at /app/.env (read by load_dotenv()).`);
    assert.equal(at('worker:openrouter').severity, 'ok');
    const eden = at('worker:eden_ai');
    assert.equal(eden.severity, 'problem');
    assert.equal(eden.title, 'worker gets the Eden AI key only as ROUNDTABLE_EDEN_AI_KEY, a name the backend never reads (it reads EDEN_AI_API_KEY or ROUNDTABLE_EDEN_AI_API_KEY).');
    assert.deepEqual(eden.fix, { kind: 'openFile', file: path.join(dir, 'docker-compose.yml'), line: CRUCIBLE_COMPOSE.split('\n').findIndex((line) => line.includes('ROUNDTABLE_EDEN_AI_KEY:')) + 1 });
    const openai = at('worker:openai');
    assert.equal(openai.severity, 'problem');
    assert.match(openai.title, /^worker does not get the OpenAI key: OPENAI_API_KEY is not in its environment:, env_file: or a mounted \.env\.$/);
    assert.equal(check(report, 'compose.passphrase:docker-compose.yml:worker').severity, 'ok');
    assert.equal(check(report, 'compose.quiet:docker-compose.yml').title, 'No provider variable reaches postgres, redis, frontend in docker-compose.yml.');
    assert.match(check(report, 'logs.crucible:docker-compose.yml').title, /docker compose logs api worker/);
  });

  it('has no compose problem once the worker gets every key under the names the backend reads', async () => {
    const fixed = CRUCIBLE_COMPOSE.replace('      ROUNDTABLE_EDEN_AI_KEY: ${ROUNDTABLE_EDEN_AI_API_KEY}\n', '      ROUNDTABLE_EDEN_AI_API_KEY: ${ROUNDTABLE_EDEN_AI_API_KEY}\n      OPENAI_API_KEY: ${OPENAI_API_KEY}\n');
    assert.notEqual(fixed, CRUCIBLE_COMPOSE);
    const report = await diagnose(project({ 'docker-compose.yml': fixed, '.env': FULL_ENV }));
    const compose = report.sections.find((section) => section.id === 'compose')!;
    assert.deepEqual(compose.checks.filter((item) => item.severity !== 'ok' && item.severity !== 'info').map((item) => item.title), []);
    assert.equal(check(report, 'compose.service:docker-compose.yml:worker:eden_ai').severity, 'ok');
  });

  it('warns about the misnamed variable even when no Eden AI key is set yet', async () => {
    const report = await diagnose(project({ 'docker-compose.yml': CRUCIBLE_COMPOSE, '.env': `ROUNDTABLE_OPENROUTER_API_KEY=${KEYS.openrouter}\n` }));
    assert.equal(check(report, 'compose.service:docker-compose.yml:worker:eden_ai').severity, 'warning');
    assert.ok(!ids(report).includes('compose.service:docker-compose.yml:worker:openai'), 'no OpenAI key, nothing to miss');
  });

  it('sees that an alias in the mounted .env gives the API another key than the worker', async () => {
    const report = await diagnose(project({ 'docker-compose.yml': CRUCIBLE_COMPOSE, '.env': `${FULL_ENV}OPENROUTER_API_KEY=${KEYS.openrouterOld}\n` }));
    assert.match(check(report, 'compose.service:docker-compose.yml:api:openrouter').title, /as OPENROUTER_API_KEY from the \.env mounted at \/app\/\.env/);
    assert.equal(check(report, 'compose.differs:docker-compose.yml:openrouter').title, 'The services get different OpenRouter keys: api sk-or-v1-…7d6c, worker sk-or-v1-…2c3d.');
  });

  it('finds a mounted .env that does not exist, which docker would replace with a folder', async () => {
    const report = await diagnose(project({ 'docker-compose.yml': CRUCIBLE_COMPOSE }), { environment: { ROUNDTABLE_OPENROUTER_API_KEY: KEYS.openrouter } });
    assert.match(check(report, 'compose.mount:docker-compose.yml:api:/app/.env').title, /does not exist: docker would create a folder in its place/);
  });
});

describe('Diagnose: how variables reach a compose service', () => {
  it('reads environment as a list, $VAR and ${VAR:-default}, a bare name from the shell, env_file forms and long-syntax mounts', async () => {
    const compose = [
      'services:',
      '  lister:',
      '    environment:',
      '      - OPENAI_API_KEY=$OPENAI_API_KEY',
      '      - XAI_API_KEY=${MISSING_XAI:-xai-defaultdefaultdefaultdefault}',
      '      - DEEPSEEK_API_KEY',
      '  filer:',
      '    env_file:',
      '      - path: ./keys.env',
      '        required: true',
      '      - path: ./optional.env',
      '        required: false',
      '  mounter:',
      '    volumes:',
      '      - type: bind',
      '        source: .',
      '        target: /srv',
      '        read_only: true',
      '  missing:',
      '    env_file: absent.env',
      '    environment: { ANTHROPIC_API_KEY: "${ANTHROPIC_API_KEY:?set it}" }',
    ].join('\n');
    const dir = project({ 'docker-compose.yml': compose, '.env': `OPENAI_API_KEY=${KEYS.openai}\n`, 'keys.env': `ANTHROPIC_API_KEY=sk-ant-api03-${'q'.repeat(30)}\n` });
    const report = await diagnose(dir, { environment: { DEEPSEEK_API_KEY: `sk-${'ab'.repeat(16)}` } });
    const at = (id: string) => check(report, `compose.service:docker-compose.yml:${id}`);
    assert.match(at('lister:openai').title, /as OPENAI_API_KEY through environment:/);
    assert.match(at('lister:xai').title, /xai-…/);
    assert.match(at('lister:deepseek').title, /as DEEPSEEK_API_KEY through environment:/);
    assert.match(at('filer:anthropic').title, /as ANTHROPIC_API_KEY through env_file:/);
    assert.match(at('mounter:openai').title, /from the \.env mounted at \/srv\/\.env/);
    const refusals = checks(report).filter((item) => item.id.startsWith('compose.service:docker-compose.yml:missing:problem')).map((item) => item.title);
    assert.ok(refusals.some((title) => /env_file .*absent\.env does not exist/.test(title)), refusals.join('|'));
    assert.ok(refusals.some((title) => /required variable ANTHROPIC_API_KEY is missing a value/.test(title)), refusals.join('|'));
  });

  it('parses volume specs and template references as compose does', () => {
    assert.deepEqual(parseShortVolume('./.env:/app/.env:ro'), { source: './.env', target: '/app/.env' });
    assert.deepEqual(parseShortVolume('C:\\crucible\\.env:/app/.env'), { source: 'C:\\crucible\\.env', target: '/app/.env' });
    assert.equal(parseShortVolume('/data'), undefined);
    assert.deepEqual(templateReferences('$$NOT ${A:-${B}} $C_1 $'), ['A', 'B', 'C_1']);
  });
});

describe('Diagnose: the YAML reader', () => {
  it('applies anchors and merge keys, with explicit keys winning', () => {
    const model = readComposeModel([
      'x-keys: &keys',
      '  environment:',
      '    OPENAI_API_KEY: ${OPENAI_API_KEY}',
      'x-more: &more',
      '  env_file: .env',
      'services:',
      '  api:',
      '    <<: [*keys, *more]',
      '  worker:',
      '    <<: *keys',
      '    environment:',
      '      XAI_API_KEY: x',
    ].join('\n'));
    const [api, worker] = model.services;
    assert.deepEqual(api.environment.map((entry) => [entry.name, entry.value, entry.line]), [['OPENAI_API_KEY', '${OPENAI_API_KEY}', 3]]);
    assert.deepEqual(api.envFiles.map((entry) => entry.path), ['.env']);
    assert.deepEqual(worker.environment.map((entry) => entry.name), ['XAI_API_KEY']);
    assert.deepEqual(model.problems, []);
  });

  it('merges several documents in order, as compose-go does', () => {
    const model = readComposeModel('services:\n  api:\n    environment: [A=1]\n---\nservices:\n  api:\n    environment: [A=2, B=3]\n  worker: {}\n');
    assert.equal(model.documents, 2);
    assert.deepEqual(model.services.map((service) => service.name), ['api', 'worker']);
    assert.deepEqual(model.services[0].environment.map((entry) => `${entry.name}=${entry.value}`), ['A=1', 'A=2', 'B=3']);
  });

  it('follows extends within the file and says when it points elsewhere', () => {
    const model = readComposeModel('services:\n  base:\n    environment: {A: "1"}\n  api:\n    extends: base\n  other:\n    extends: {file: more.yml, service: x}\n  loop:\n    extends: loop\n');
    assert.deepEqual(model.services.find((service) => service.name === 'api')!.environment.map((entry) => entry.name), ['A']);
    assert.ok(model.problems.some((problem) => /another file \(more\.yml\)/.test(problem)));
  });

  it('refuses a billion-laughs alias bomb without expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((name, index) => `${name}: &${name} [${Array(10).fill(`*${'abcdefghi'[index]}`).join(', ')}]`),
      'services:', ...Array.from({ length: 200 }, (_, index) => `  s${index}: {environment: *i}`)].join('\n');
    const model = readComposeModel(bomb);
    assert.deepEqual(model.services, []);
    assert.match(model.problems[0], /The file was not read: it (resolves more than 1000 aliases|expands to more than 100000 entries)/);
  });

  it('refuses nesting that would crash the parser, and complex keys that toJS() would stringify forever', () => {
    assert.match(readComposeModel('['.repeat(5000)).problems[0], /nests \[ \] or \{ \} 5000 deep/);
    assert.match(readComposeModel(`services:\n  api:\n    environment:\n${'- '.repeat(2000)}x\n`).problems[0], /indentation and indicators/);
    const complex = readComposeModel(`services:\n  api:\n    environment:\n      ? ${'? '.repeat(100)}x\n      : y\n      OPENAI_API_KEY: z\n`);
    assert.deepEqual(complex.services[0].environment.map((entry) => entry.name), ['OPENAI_API_KEY']);
  });

  it('reports a YAML error and a duplicate key by line, never with the file\'s text', () => {
    const broken = readComposeModel(`services:\n  api:\n    environment:\n      OPENAI_API_KEY: ${KEYS.openai}\n     bad: [\n`);
    assert.match(broken.problems[0], /^YAML error at line \d+: .+ \([A-Z_]+\)\. docker compose refuses such a file\.$/);
    assert.ok(!broken.problems.join(' ').includes(KEYS.openai));
    const duplicate = readComposeModel('services:\n  api:\n    environment:\n      A: 1\n      A: 2\n');
    assert.deepEqual(duplicate.problems, ['Key "A" appears twice in one mapping (line 5); docker compose refuses such a file.']);
    assert.deepEqual(readComposeModel('- just\n- a list\n').problems, ['A document of the file is not a mapping of compose keys.']);
  });

  it('does not read a compose file larger than the limit, nor one that is a FIFO', async () => {
    const dir = project({ 'docker-compose.yml': `# ${'x'.repeat(MAX_COMPOSE_BYTES)}\n`, '.env': '' });
    execFileSync('mkfifo', [path.join(dir, 'compose.yaml')]);
    const report = await diagnose(dir);
    const titles = checks(report).filter((item) => item.id.startsWith('compose.file')).map((item) => item.title);
    assert.ok(titles.some((title) => /docker-compose\.yml is larger than 0\.25 MB, which no compose file is/.test(title)), titles.join('|'));
    assert.ok(titles.some((title) => /compose\.yaml is a named pipe/.test(title)), titles.join('|'));
  });

  it('reads a large but ordinary compose file', () => {
    const services = Array.from({ length: 400 }, (_, index) => `  s${index}:\n    image: x\n    environment:\n      OPENAI_API_KEY: \${OPENAI_API_KEY}\n      N: "${index}"`).join('\n');
    const model = readComposeModel(`services:\n${services}\n`);
    assert.equal(model.services.length, 400);
    assert.deepEqual(model.problems, []);
  });
});

describe('Diagnose: compose files beside the .env', () => {
  it('reads docker-compose.prod.yml too, and names it in the log command', async () => {
    const dir = project({ 'docker-compose.prod.yml': CRUCIBLE_COMPOSE, '.env': FULL_ENV });
    writeFileSync(path.join(dir, 'compose-notes.txt'), 'not yaml');
    const report = await diagnose(dir);
    assert.equal(check(report, 'compose.service:docker-compose.prod.yml:worker:eden_ai').severity, 'problem');
    assert.match(check(report, 'logs.crucible:docker-compose.prod.yml').title, /docker compose -f docker-compose\.prod\.yml logs api worker/);
  });
});

describe('Diagnose: env files a compose file names', () => {
  it('reads at most 32 distinct ones, and says so', async () => {
    const files: Record<string, string> = { '.env': `OPENAI_API_KEY=${KEYS.openai}\n` };
    for (let index = 0; index < 40; index++) files[`e${index}.env`] = `X${index}=1\n`;
    files['docker-compose.yml'] = `services:\n  api:\n    env_file: [${Array.from({ length: 40 }, (_, index) => `e${index}.env`).join(', ')}, .env, .env]\n`;
    const report = await diagnose(project(files));
    const refused = checks(report).filter((item) => /more than 32 env files/.test(item.title));
    assert.equal(refused.length, 8);
    assert.match(check(report, 'compose.service:docker-compose.yml:api:openai').title, /through env_file:/);
  });
});

describe('Diagnose: names from a hostile compose file', () => {
  it('keeps every line of the report on one line and short, and puts no odd service name in the log command', async () => {
    const odd = `"evil$(touch /tmp/x)\\nname${'z'.repeat(900)}"`;
    const dir = project({ '.env': `OPENAI_API_KEY=${KEYS.openai}\n`, 'docker-compose.yml': `services:\n  ${odd}:\n    environment: [OPENAI_API_KEY]\n  api:\n    environment: [OPENAI_API_KEY]\n` });
    const report = await diagnose(dir);
    for (const item of checks(report)) {
      for (const line of [item.title, ...(item.detail ?? [])]) {
        assert.ok(!/[\n\r]/.test(line), line.slice(0, 80));
        assert.ok(line.length <= 601, `${line.length} characters`);
      }
    }
    assert.equal(check(report, 'logs.crucible:docker-compose.yml').title, `Crucible's own logs: docker compose logs api (in ${dir}).`);
  });
});
