import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigError, resolveConfig } from '@duet/server';

/** Writes a config file in a temporary folder removed after the test. */
async function configFile(content: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'duet-config-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'duet.json');
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe('resolveConfig', () => {
  it('uses the defaults of DESIGN.md when nothing is given', async () => {
    const config = await resolveConfig({}, {});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 1337,
      notebooks: './notebooks',
      baseUrl: 'http://localhost:1234/v1',
      passes: 2,
      maxTurns: 4,
      cellTimeout: 60,
      sandbox: 'auto',
      allowUnsandboxed: false,
    });
    expect(config.modelA).toBeUndefined();
    expect(config.workdir).toBeUndefined();
  });

  it('prefers flags to the environment, the environment to the file, and the file to the defaults', async () => {
    const file = await configFile({ passes: 5, maxTurns: 7, cellTimeout: 9, modelA: 'file-a' });
    const env = { DUET_PASSES: '4', DUET_MAX_TURNS: '6', DUET_MODEL_B: 'env-b' };
    const config = await resolveConfig({ config: file, passes: '3' }, env);
    expect(config).toMatchObject({ passes: 3, maxTurns: 6, cellTimeout: 9, modelA: 'file-a', modelB: 'env-b', host: '127.0.0.1' });
  });

  it.each([
    { name: 'DUET_BASE_URL', env: { DUET_BASE_URL: 'http://h:1/v1' }, key: 'baseUrl', value: 'http://h:1/v1' },
    { name: 'DUET_BASE_URL_A', env: { DUET_BASE_URL_A: 'http://a:1/v1' }, key: 'baseUrlA', value: 'http://a:1/v1' },
    { name: 'DUET_BASE_URL_B', env: { DUET_BASE_URL_B: 'http://b:1/v1' }, key: 'baseUrlB', value: 'http://b:1/v1' },
    { name: 'DUET_API_KEY', env: { DUET_API_KEY: 'k' }, key: 'apiKey', value: 'k' },
    { name: 'DUET_CELL_TIMEOUT', env: { DUET_CELL_TIMEOUT: '1.5' }, key: 'cellTimeout', value: 1.5 },
    { name: 'DUET_PYTHON', env: { DUET_PYTHON: '/usr/bin/python3' }, key: 'python', value: '/usr/bin/python3' },
    { name: 'DUET_TOKEN', env: { DUET_TOKEN: 't' }, key: 'token', value: 't' },
    { name: 'DUET_ALLOW_UNSANDBOXED', env: { DUET_ALLOW_UNSANDBOXED: 'yes' }, key: 'allowUnsandboxed', value: true },
  ])('reads $name', async ({ env, key, value }) => {
    expect((await resolveConfig({}, env))[key as 'baseUrl']).toEqual(value);
  });

  it('ignores environment variables set to the empty string', async () => {
    expect((await resolveConfig({}, { DUET_PASSES: '' })).passes).toBe(2);
  });

  it.each([
    { name: 'a passes count that is not a number', flags: { passes: 'two' }, env: {}, says: /--passes must be a number \(got "two" on the command line\)/ },
    { name: 'zero passes', flags: { passes: '0' }, env: {}, says: /--passes must be at least 1/ },
    { name: 'a fractional turn limit', flags: { maxTurns: '2.5' }, env: {}, says: /--max-turns must be a whole number/ },
    { name: 'a negative cell timeout', flags: { cellTimeout: '-1' }, env: {}, says: /--cell-timeout must be more than 0/ },
    { name: 'an unknown sandbox mode', flags: { sandbox: 'docker' }, env: {}, says: /--sandbox must be one of auto, bwrap/ },
    { name: 'a port out of range', flags: { port: '70000' }, env: {}, says: /--port/ },
    { name: 'a bad value in the environment', flags: {}, env: { DUET_MAX_TURNS: 'many' }, says: /--max-turns must be a number \(got DUET_MAX_TURNS="many"\)/ },
    { name: 'a yes/no that is neither', flags: {}, env: { DUET_ALLOW_UNSANDBOXED: 'maybe' }, says: /--allow-unsandboxed must be true or false/ },
  ])('refuses $name with a ConfigError naming the setting', async ({ flags, env, says }) => {
    const err = await configError(resolveConfig(flags, env));
    expect(err.message).toMatch(says);
    expect(err.message).not.toContain('\n');
  });

  it('names the config file when a bad value comes from it', async () => {
    const file = await configFile({ passes: -3 });
    const err = await configError(resolveConfig({ config: file }, {}));
    expect(err.message).toContain(`got -3 in ${file}`);
  });

  it('refuses unknown keys in the config file and lists the known ones', async () => {
    const file = await configFile({ passes: 2, model_a: 'x', colour: 'red' });
    const err = await configError(resolveConfig({ config: file }, {}));
    expect(err.message).toMatch(/unknown keys: model_a, colour/);
    expect(err.message).toMatch(/known: .*modelA/);
  });

  it.each([
    { name: 'a file that is not JSON', content: '{ passes: 2', says: /is not valid JSON/ },
    { name: 'a file holding an array', content: '[1, 2]', says: /must hold a JSON object/ },
  ])('refuses $name', async ({ content, says }) => {
    const file = await configFile(content);
    expect((await configError(resolveConfig({ config: file }, {}))).message).toMatch(says);
  });

  it('says which config file it cannot read', async () => {
    const err = await configError(resolveConfig({ config: '/nonexistent/duet.json' }, {}));
    expect(err.message).toMatch(/Cannot read the config file \/nonexistent\/duet\.json: ENOENT/);
  });
});
