import { describe, expect, it } from 'vitest';
import { classifyRefusal, readErrorBody, type Refusal, type ServerErrorFacts } from '@duet/server';

describe('readErrorBody', () => {
  const overflow = 'request (5000 tokens) exceeds the available context size (4096 tokens), try increasing it';
  it.each<{ name: string; body: unknown; facts: ServerErrorFacts | undefined }>([
    {
      name: 'reads a nested body with llama.cpp counts',
      body: { error: { code: 400, message: overflow, type: 'exceed_context_size_error', n_prompt_tokens: 5000, n_ctx: 4096 } },
      facts: { message: overflow, code: 400, type: 'exceed_context_size_error', promptTokens: 5000, contextWindow: 4096 },
    },
    {
      name: 'reads the flat body of vLLM before 0.10.1',
      body: { object: 'error', message: 'System role not supported None', type: 'BadRequestError', param: null, code: 400 },
      facts: { message: 'System role not supported None', type: 'BadRequestError', code: 400 },
    },
    { name: 'reads a string error (LM Studio 0.3)', body: { error: 'No models loaded.' }, facts: { message: 'No models loaded.' } },
    { name: 'reads an LM Studio `event: error` data without an `error` key', body: { message: 'The model has crashed' }, facts: { message: 'The model has crashed' } },
    { name: "reads FastAPI's detail", body: { detail: 'Not Found' }, facts: { message: 'Not Found' } },
    { name: 'reads plain text', body: '  upstream timed out \n', facts: { message: 'upstream timed out' } },
    {
      name: "reads through Ollama's relay of llama-server's body",
      body: {
        error: {
          message: JSON.stringify({ error: { code: 400, message: overflow, type: 'exceed_context_size_error', n_prompt_tokens: 5000, n_ctx: 4096 } }),
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      },
      facts: { message: overflow, code: 400, type: 'exceed_context_size_error', promptTokens: 5000, contextWindow: 4096 },
    },
    { name: 'shows a nested error without a message as JSON', body: { error: { code: 'E42' } }, facts: { message: '{"code":"E42"}', code: 'E42' } },
    { name: 'finds nothing in an empty object', body: {}, facts: undefined },
    { name: 'finds nothing in an empty string', body: '', facts: undefined },
  ])('$name', ({ body, facts }) => {
    expect(readErrorBody(body)).toEqual(facts);
  });
});

describe('classifyRefusal', () => {
  const said = (message: string, more: Partial<ServerErrorFacts> = {}): ServerErrorFacts => ({ message, ...more });
  it.each<{ server: string; status: number | undefined; facts: ServerErrorFacts; refusal: Refusal }>([
    { server: 'llama.cpp, loading', status: 503, facts: said('Loading model', { type: 'unavailable_error' }), refusal: { kind: 'loading' } },
    {
      server: 'llama.cpp, context overflow with counts',
      status: 400,
      facts: said('request (5000 tokens) exceeds the available context size (4096 tokens), try increasing it', { type: 'exceed_context_size_error' }),
      refusal: { kind: 'context-overflow', promptTokens: 5000, contextWindow: 4096 },
    },
    {
      server: 'llama.cpp before PR #16109, context overflow without counts',
      status: 400,
      facts: said('the request exceeds the available context size. try increasing the context size or enable context shift'),
      refusal: { kind: 'context-overflow' },
    },
    {
      server: 'vLLM ≥ 0.9, context overflow',
      status: 400,
      facts: said("This model's maximum context length is 4096 tokens. However, your request has 5000 input tokens. Please reduce the length of the input messages. None"),
      refusal: { kind: 'context-overflow', promptTokens: 5000, contextWindow: 4096 },
    },
    {
      server: 'vLLM 0.6, context overflow',
      status: 400,
      facts: said("This model's maximum context length is 2048 tokens. However, you requested 2723 tokens (1699 in the messages, 1024 in the completion). Please reduce the length of the messages or completion."),
      refusal: { kind: 'context-overflow', promptTokens: 1699, contextWindow: 2048 },
    },
    {
      server: 'LM Studio 0.4.6, n_keep >= n_ctx',
      status: undefined,
      facts: said('Cannot truncate prompt with n_keep (15028) >= n_ctx (7424)'),
      refusal: { kind: 'context-overflow', promptTokens: 15028, contextWindow: 7424 },
    },
    {
      server: 'LM Studio 0.3, context length of only',
      status: 400,
      facts: said('Trying to keep the first 111490 tokens when context the overflows. However, the model is loaded with context length of only 32768 tokens, which is not enough.'),
      refusal: { kind: 'context-overflow', promptTokens: 111490, contextWindow: 32768 },
    },
    {
      server: 'LM Studio 0.4.21, does not fit',
      status: undefined,
      facts: said('Input does not fit in context length. The input has 31430 tokens, but the context length only supports 30000 tokens.'),
      refusal: { kind: 'context-overflow', promptTokens: 31430, contextWindow: 30000 },
    },
    { server: 'OpenAI, by code', status: 400, facts: said('Too long.', { code: 'context_length_exceeded' }), refusal: { kind: 'context-overflow' } },
    { server: 'Gemma 2 template', status: 400, facts: said('System role not supported'), refusal: { kind: 'system-role' } },
    {
      server: 'Mistral template',
      status: 500,
      facts: said("Error: Jinja Exception: Conversation roles must alternate user/assistant/user/assistant/..."),
      refusal: { kind: 'system-role' },
    },
    {
      server: 'LM Studio, Mistral v0.3 template',
      status: undefined,
      facts: said('Error rendering prompt with jinja template: "Only user and assistant roles are supported!".'),
      refusal: { kind: 'system-role' },
    },
    {
      server: 'LM Studio, no models loaded',
      status: 404,
      facts: said('No models loaded. Please load a model in the developer page or use the `lms load` command'),
      refusal: { kind: 'no-model-loaded' },
    },
    { server: 'Ollama, queue full (busy, not loading)', status: 503, facts: said('server busy, please try again.  maximum pending requests exceeded'), refusal: { kind: 'other' } },
    { server: 'a 500 that says loading is not a 503', status: 500, facts: said('error loading model'), refusal: { kind: 'other' } },
    { server: 'a crash', status: 500, facts: said('CUDA out of memory'), refusal: { kind: 'other' } },
  ])('reads $server', ({ status, facts, refusal }) => {
    expect(classifyRefusal(status, facts)).toEqual(refusal);
  });
});
