/** Model answers for server tests: marked code and test blocks, as a model would write them. */
import { onTestFinished } from 'vitest';
import { ScriptedModelServer, contentChunks, type Script } from '@duet/server';

/** An answer with prose, one RUN-CODE block and a TEST-ASSERT block per test. */
export function answer(o: { prose?: string; code?: string; tests?: string[] }): string {
  const parts = [o.prose ?? 'Here is my attempt.'];
  if (o.code !== undefined) parts.push(`RUN-CODE\n\`\`\`python\n${o.code}\n\`\`\``);
  for (const t of o.tests ?? []) parts.push(`TEST-ASSERT\n\`\`\`python\n${t}\n\`\`\``);
  return `${parts.join('\n\n')}\n`;
}

/** Starts a fake OpenAI-compatible server with models `model-a` and `model-b`; closed when the test ends. */
export async function startModels(script: Script): Promise<ScriptedModelServer> {
  const models = await ScriptedModelServer.start({ models: ['model-a', 'model-b'], script });
  onTestFinished(() => models.close());
  return models;
}

/** A script that answers with `text(request)` cut into small chunks, as tokens arrive. */
export function chunked(text: (prompt: string, model: string) => string, size = 5): Script {
  return (req) => contentChunks(text(firstUserText(req.messages), req.model), size);
}

/** The user's request: the first user message. */
export function firstUserText(messages: readonly { role: string; content: string }[]): string {
  return messages.find((m) => m.role === 'user')?.content ?? '';
}
