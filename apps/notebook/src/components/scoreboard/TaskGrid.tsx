/** Tasks down, pairs across: each result as a badge that opens the run's notebook. */
import type { ContestantSummary, TaskCell, TaskOutcome, TaskRow } from '@duet/server/protocol';
import { formatSeconds } from '../../util/durations.ts';

const WORDS: Record<TaskOutcome, string> = { solved: 'solved', 'false-green': 'false green', unsolved: 'unsolved', error: 'error' };

interface TaskGridProps {
  tasks: readonly TaskRow[];
  contestants: readonly ContestantSummary[];
  /** The notebook being opened, while it is. */
  opening: string | null;
  onOpen(task: string, contestant: string, notebook: string): void;
}

function describe(cell: TaskCell): string {
  return [cell.turns === null ? null : `${cell.turns} turns`, formatSeconds(cell.wallMs), cell.detail].filter((p) => p !== null).join(' · ');
}

export function TaskGrid({ tasks, contestants, opening, onOpen }: TaskGridProps) {
  return (
    <table className="sb-table sb-tasks" aria-label="Tasks">
      <thead>
        <tr>
          <th>task</th>
          {contestants.map((c) => (
            <th key={c.id}>{c.id}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {tasks.map((t) => (
          <tr key={t.id}>
            <td title={t.prompt}>{t.id}</td>
            {contestants.map((c) => {
              const cell = t.cells[c.id];
              if (!cell) {
                return (
                  <td key={c.id}>
                    <span className="sb-outcome pending">not run</span>
                  </td>
                );
              }
              const badge = <span className={`sb-outcome ${cell.outcome}`}>{WORDS[cell.outcome]}</span>;
              const notebook = cell.notebook;
              return (
                <td key={c.id} title={describe(cell)}>
                  {notebook === null ? (
                    badge
                  ) : (
                    <button type="button" className="sb-open" aria-label={`Open the notebook of ${t.id} by ${c.id}: ${WORDS[cell.outcome]}`} disabled={opening !== null} onClick={() => onOpen(t.id, c.id, notebook)}>
                      {badge}
                    </button>
                  )}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
