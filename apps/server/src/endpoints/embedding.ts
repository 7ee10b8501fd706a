/**
 * Whether a model is an embedding model, from what servers say about it. Servers
 * that list every downloaded model (LM Studio with JIT loading, Ollama) list
 * embedding models beside chat models, and a chat request to one fails.
 */

/**
 * Id fragments of embedding and reranking models. `bge-`, `e5-` and `gte-` only
 * count at the start of a name part, so `qwen2.5-…` or `phi3.5-…` never match.
 */
const EMBEDDING_ID = /embed|(?:^|[/:_.\s-])(?:bge|e5|gte)-|all-minilm|rerank/i;

/** True when the id names an embedding model (`text-embedding-nomic-embed-text-v1.5`, `bge-m3`, `all-minilm:latest`). */
export function idLooksLikeEmbedding(id: string): boolean {
  return EMBEDDING_ID.test(id);
}

/**
 * True when a model family is an encoder that only embeds: BERT and its relatives
 * (`bert`, `nomic-bert`, `jina-bert-v2`, `xlm-roberta`), as Ollama and LM Studio
 * (`arch`) report them.
 */
export function familyIsEmbedding(family: string): boolean {
  return /bert|roberta/i.test(family);
}
