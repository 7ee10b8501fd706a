import { describe, expect, it } from 'vitest';
import { familyIsEmbedding, idLooksLikeEmbedding, idStartsInReasoning, numCtxParameter, ollamaDefaultContext, templateStartsInReasoning } from '@duet/server';

describe('an embedding model is recognised by its id', () => {
  it.each([
    ['text-embedding-nomic-embed-text-v1.5', true],
    ['nomic-embed-text:latest', true],
    ['mxbai-embed-large:latest', true],
    ['qwen3-embedding:0.6b', true],
    ['embeddinggemma:300m', true],
    ['bge-m3:latest', true],
    ['BAAI/bge-large-en-v1.5', true],
    ['intfloat/e5-mistral-7b-instruct', true],
    ['multilingual-e5-large', true],
    ['thenlper/gte-base', true],
    ['all-minilm:l6-v2', true],
    ['bge-reranker-v2-m3', true],
    ['/models/nomic-embed-text-v1.5.Q4_K_M.gguf', true],
    ['qwen2.5-coder-7b-instruct', false],
    ['phi3.5-mini-instruct', false],
    ['llama3.2:latest', false],
    ['Qwen/Qwen2.5-7B-Instruct', false],
    ['gemma-3-4b-it', false],
    ['deepseek-r1-distill-qwen-7b', false],
  ])('%s → %s', (id, expected) => {
    expect(idLooksLikeEmbedding(id)).toBe(expected);
  });

  it.each([
    ['nomic-bert', true],
    ['bert', true],
    ['jina-bert-v2', true],
    ['xlm-roberta', true],
    ['llama', false],
    ['qwen2', false],
  ])('the family %s means embedding: %s', (family, expected) => {
    expect(familyIsEmbedding(family)).toBe(expected);
  });
});

describe('a model whose answers start inside reasoning is recognised', () => {
  it.each([
    ['DeepSeek-R1’s Jinja template (llama.cpp /props)', "{% if add_generation_prompt %}{{'<｜Assistant｜><think>\\n'}}{% endif %}", true],
    ['QwQ’s Jinja template', "{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n<think>\\n' }}\n{%- endif %}\n", true],
    ['a Go template that opens <think> last (Ollama /api/show)', '{{- if $last }}<｜Assistant｜><think>\n{{- end }}', true],
    ['Qwen3 with thinking switched off: <think></think> closed', "{%- if enable_thinking is defined and enable_thinking is false %}\n        {{- '<think>\\n\\n</think>\\n\\n' }}\n    {%- endif %}", false],
    ['a template that only shows earlier reasoning', "{{- '<think>\\n' + reasoning_content + '\\n</think>\\n\\n' }}{{- content }}", false],
    ['a template that writes text after <think>', "{{'<think>'}} Let me think {{ content }}", false],
    ['a template with no <think> at all', '<|im_start|>assistant\n', false],
  ])('%s: %s', (_what, template, expected) => {
    expect(templateStartsInReasoning(template)).toBe(expected);
  });

  it.each([
    ['deepseek-r1:7b', true],
    ['deepseek-r1-distill-qwen-7b', true],
    ['unsloth/DeepSeek-R1-Distill-Llama-8B-GGUF', true],
    ['Qwen/QwQ-32B', true],
    ['qwen2.5-coder-7b-instruct', false],
    ['deepseek-coder-v2:16b', false],
  ])('the id %s says so: %s', (id, expected) => {
    expect(idStartsInReasoning(id)).toBe(expected);
  });
});

describe('Ollama’s context window', () => {
  it.each([
    ['0.5.7', 2048],
    ['0.6.6', 2048],
    ['0.6.7', 4096],
    ['0.11.4', 4096],
    ['0.15.4', 4096],
    ['0.15.5', null],
    ['0.17.7', null],
    ['0.15.5-rc3', null],
    ['0.0.0', null],
    ['not a version', null],
  ])('defaults, in version %s, to %s', (version, expected) => {
    expect(ollamaDefaultContext(version)).toBe(expected);
  });

  it.each([
    ['num_ctx                        8192\nstop                           "<|eot_id|>"', 8192],
    ['stop                           "<|eot_id|>"\nnum_ctx 32768', 32768],
    ['stop                           "<|eot_id|>"', null],
    ['', null],
  ])('reads num_ctx from the parameters %j: %s', (parameters, expected) => {
    expect(numCtxParameter(parameters)).toBe(expected);
  });
});
