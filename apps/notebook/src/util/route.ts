/** What the address's hash opens: a notebook's name, or null (nothing, or the scoreboard). */
import { scoreboardRoute } from './scoreboard.ts';

/** The notebook `#NAME` names; null for no hash, the scoreboard's, or one that is not valid percent-encoding. */
export function notebookFromHash(hash: string): string | null {
  if (scoreboardRoute(hash) !== null) return null;
  const raw = hash.replace(/^#/, '');
  if (!raw) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}
