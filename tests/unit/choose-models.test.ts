import { describe, expect, it } from 'vitest';
import { chooseModels, type Choice, type EndpointInfo, type ModelInfo, type SlotRequest } from '@duet/server';

const LM = 'http://127.0.0.1:1234/v1';
const OLLAMA = 'http://127.0.0.1:11434/v1';

/** A listed model: a chat model of unknown state unless told otherwise. */
function model(id: string, more: Partial<ModelInfo> = {}): ModelInfo {
  return { id, type: 'llm', loaded: null, contextWindow: null, ...more };
}

const embedding = (id: string, more: Partial<ModelInfo> = {}): ModelInfo => model(id, { type: 'embedding', ...more });

function endpoint(models: ModelInfo[], kind: EndpointInfo['kind'] = 'lmstudio'): EndpointInfo {
  return { kind, models };
}

/** Both slots on one server unless B says otherwise. */
function choose(a: Partial<SlotRequest> & { info: EndpointInfo }, b: Partial<SlotRequest> = {}): Choice {
  return chooseModels({ A: { baseUrl: LM, ...a }, B: { baseUrl: LM, info: a.info, ...b } });
}

function ids(choice: Choice): [string, string] {
  if (!choice.ok) throw new Error(`expected a choice, got: ${choice.problem.message}`);
  return [choice.models.A.id, choice.models.B.id];
}

function problem(choice: Choice) {
  if (choice.ok) throw new Error(`expected a refusal, got ${choice.models.A.id} and ${choice.models.B.id}`);
  return choice.problem;
}

describe('chooseModels picks what a user would pick', () => {
  it.each([
    {
      rule: 'an embedding model listed first is never picked',
      models: [embedding('text-embedding-nomic-embed-text-v1.5'), model('qwen2.5-coder-7b-instruct'), model('llama-3.2-3b-instruct')],
      picked: ['qwen2.5-coder-7b-instruct', 'llama-3.2-3b-instruct'],
    },
    {
      rule: 'an embedding model listed second is never picked',
      models: [model('qwen2.5-coder-7b-instruct'), embedding('text-embedding-nomic-embed-text-v1.5'), model('llama-3.2-3b-instruct')],
      picked: ['qwen2.5-coder-7b-instruct', 'llama-3.2-3b-instruct'],
    },
    {
      rule: 'loaded models come before ones the server would have to load',
      models: [model('gemma-3-4b-it', { loaded: false }), model('qwen2.5-coder-7b-instruct', { loaded: true }), model('llama-3.2-3b-instruct', { loaded: false })],
      picked: ['qwen2.5-coder-7b-instruct', 'gemma-3-4b-it'],
    },
    {
      rule: 'the only chat model answers as both',
      models: [embedding('text-embedding-nomic-embed-text-v1.5'), model('qwen2.5-coder-7b-instruct')],
      picked: ['qwen2.5-coder-7b-instruct', 'qwen2.5-coder-7b-instruct'],
    },
  ])('$rule', ({ models, picked }) => {
    expect(ids(choose({ info: endpoint(models) }))).toEqual(picked);
  });

  it('gives each slot its own server’s first usable model when the base URLs differ', () => {
    const lm = endpoint([embedding('text-embedding-nomic-embed-text-v1.5'), model('qwen2.5-coder-7b-instruct'), model('llama-3.2-3b-instruct')]);
    const ollama = endpoint([embedding('nomic-embed-text:latest'), model('llama3.2:latest'), model('qwen2.5-coder:7b')], 'ollama');
    const choice = chooseModels({ A: { baseUrl: LM, info: lm }, B: { baseUrl: OLLAMA, info: ollama } });
    expect(ids(choice)).toEqual(['qwen2.5-coder-7b-instruct', 'llama3.2:latest']);
  });

  it('gives the default slot a different model from the one asked for on the same server', () => {
    const info = endpoint([model('qwen'), model('llama'), model('gemma')]);
    expect(ids(choose({ info }, { wanted: 'qwen' }))).toEqual(['llama', 'qwen']);
  });

  it.each([
    { asked: 'llama3.2', listed: 'llama3.2:latest' },
    { asked: 'llama3.2:latest', listed: 'llama3.2:latest' },
    { asked: 'qwen2.5-coder:7b', listed: 'qwen2.5-coder:7b' },
  ])('takes Ollama’s $asked as the listed $listed', ({ asked, listed }) => {
    const info = endpoint([model('llama3.2:latest'), model('qwen2.5-coder:7b')], 'ollama');
    expect(ids(chooseModels({ A: { baseUrl: OLLAMA, info, wanted: asked }, B: { baseUrl: OLLAMA, info } }))[0]).toBe(listed);
  });

  it('does not stretch a tag: qwen2.5-coder is not qwen2.5-coder:7b', () => {
    const info = endpoint([model('qwen2.5-coder:7b')], 'ollama');
    expect(problem(chooseModels({ A: { baseUrl: OLLAMA, info, wanted: 'qwen2.5-coder' }, B: { baseUrl: OLLAMA, info } })).reason).toBe('not-listed');
  });

  it('refuses an id the server does not list, naming the chat models it does', () => {
    const info = endpoint([embedding('text-embedding-nomic-embed-text-v1.5'), model('qwen'), model('llama')]);
    const refused = problem(choose({ info }, { wanted: 'gpt-4' }));
    expect(refused).toMatchObject({ slot: 'B', reason: 'not-listed', wanted: 'gpt-4', usable: ['qwen', 'llama'] });
    expect(refused.message).toContain('"gpt-4"');
    expect(refused.message).toContain('qwen, llama');
    expect(refused.message).not.toContain('nomic');
  });

  it('accepts any id where the server lists nothing, since some serve models they do not list', () => {
    expect(ids(choose({ info: endpoint([], 'openai-compatible'), wanted: 'my-model' }, { wanted: 'my-model' }))).toEqual(['my-model', 'my-model']);
  });

  it('refuses an embedding model asked for, and says why', () => {
    const info = endpoint([embedding('text-embedding-nomic-embed-text-v1.5'), model('qwen')]);
    const refused = problem(choose({ info, wanted: 'text-embedding-nomic-embed-text-v1.5' }));
    expect(refused).toMatchObject({ slot: 'A', reason: 'embedding', model: 'text-embedding-nomic-embed-text-v1.5' });
    expect(refused.message).toMatch(/embedding model.*cannot chat.*qwen/);
  });

  it.each([
    { server: 'lists no models', models: [], reason: 'no-models', says: /lists no models/ },
    { server: 'lists only embedding models', models: [embedding('nomic-embed-text:latest')], reason: 'no-chat-models', says: /only embedding models \(nomic-embed-text:latest\)/ },
  ])('refuses a server that $server', ({ models, reason, says }) => {
    const refused = problem(choose({ info: endpoint(models) }));
    expect(refused.reason).toBe(reason);
    expect(refused.message).toMatch(says);
  });

  it('names the demo models when a demo id is wrong', () => {
    const info = endpoint([model('demo-a'), model('demo-b')], 'demo');
    expect(problem(choose({ info, wanted: 'demo-c' })).message).toBe('Model A "demo-c" is not a demo model; the demo models are demo-a, demo-b.');
  });
});

describe('chooseModels sizes the context window', () => {
  it.each([
    { rule: 'the flag wins over the server', flag: 8192, known: { contextWindow: 32768 }, context: { window: 8192, source: 'flag' } },
    { rule: 'the server’s figure comes next', flag: undefined, known: { contextWindow: 32768 }, context: { window: 32768, source: 'server' } },
    { rule: 'with nothing known, 4096 is assumed', flag: undefined, known: {}, context: { window: 4096, source: 'default' } },
    { rule: 'the assumption never exceeds what the model allows', flag: undefined, known: { contextLimit: 2048 }, context: { window: 2048, source: 'default' } },
    { rule: 'a limit above 4096 leaves the assumption at 4096', flag: undefined, known: { contextLimit: 131072 }, context: { window: 4096, source: 'default' } },
  ])('$rule', ({ flag, known, context }) => {
    const choice = choose({ info: endpoint([model('qwen', known)]), contextFlag: flag });
    expect(choice.ok && choice.models.A.context).toEqual(context);
  });

  it('copies the server kind, the key and the label onto the endpoints, and says which models start in reasoning', () => {
    const info = endpoint([model('deepseek-r1-distill-qwen-7b'), model('qwen', { startsInReasoning: false })]);
    const choice = choose({ info, apiKey: 'sk-local', label: 'mine' });
    expect(choice.ok && choice.models.A).toEqual({
      id: 'deepseek-r1-distill-qwen-7b',
      baseUrl: LM,
      apiKey: 'sk-local',
      label: 'mine',
      context: { window: 4096, source: 'default' },
      server: 'lmstudio',
      startsInReasoning: true,
    });
    expect(choice.ok && choice.models.B.startsInReasoning).toBe(false);
  });
});
