/**
 * Whether a model's answers begin inside reasoning. DeepSeek-R1 and its distills,
 * and QwQ, have chat templates that end the generation prompt with `<think>\n`, so
 * the model's text starts mid-reasoning and only `</think>` ever arrives
 * (llama.cpp #11861, vLLM #13125).
 */

/** Ids of models whose templates open reasoning for them. */
const REASONING_ID = /deepseek-r1|r1-distill|qwq/i;

/** True when the id (or a path or `root` naming the weights) is a DeepSeek-R1, an R1 distill or QwQ. */
export function idStartsInReasoning(id: string): boolean {
  return REASONING_ID.test(id);
}

/**
 * True when the chat template's last `<think>` is left open at the end of the
 * generation prompt. What may follow it: newlines (real or written `\n` inside a
 * Jinja string), quotes, and template tags (`{{- end }}`, `{% endif %}`). Qwen3's
 * `<think>\n\n</think>` (thinking switched off) closes what it opens and does not count.
 */
export function templateStartsInReasoning(template: string): boolean {
  const at = template.lastIndexOf('<think>');
  if (at < 0) return false;
  const after = template.slice(at + '<think>'.length);
  if (after.includes('</think>')) return false;
  const rest = after
    .replace(/\{%.*?%\}/gs, '')
    .replace(/\{\{.*?\}\}/gs, '')
    .replace(/\\[nr]|-?\}\}|-?%\}|['"+\s]/g, '');
  return rest === '';
}
