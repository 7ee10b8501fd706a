/**
 * The scoreboard: the eval folders the server found, and one eval's results —
 * pairs, charts, paired comparisons, tasks. Drawn from the server's JSON; an
 * eval's own report.html never runs here. A task's notebook opens as a copy in
 * the notebook list.
 */
import { useCallback, useEffect, useState } from 'react';
import { putNotebookFile } from '../../api/http.ts';
import { getEval, getEvalNotebook, listEvals, type EvalListEntry, type EvalReport } from '../../api/evals.ts';
import { copyName, scoreboardHash } from '../../util/scoreboard.ts';
import { Comparisons } from './Comparisons.tsx';
import { DistributionChart } from './DistributionChart.tsx';
import { FalseGreenChart, PassRateChart } from './RateCharts.tsx';
import { SummaryTable } from './SummaryTable.tsx';
import { TaskGrid } from './TaskGrid.tsx';
import './scoreboard.css';

/** How often an eval that is still running is asked again. */
const REFRESH_MS = 5_000;

interface ScoreboardPageProps {
  /** The eval shown; null for the list. */
  name: string | null;
  /** Shows a notebook of the notebook list. */
  onOpenNotebook(name: string): void;
  /** A notebook was added to the list. */
  onNotebooksChanged(): void;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function ScoreboardPage({ name, onOpenNotebook, onNotebooksChanged }: ScoreboardPageProps) {
  const [evals, setEvals] = useState<EvalListEntry[] | null>(null);
  const [report, setReport] = useState<EvalReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [opening, setOpening] = useState<string | null>(null);

  useEffect(() => {
    listEvals().then(setEvals, (e: unknown) => setError(`Could not list the evals: ${message(e)}`));
  }, []);

  const load = useCallback(async (): Promise<EvalReport | null> => {
    if (name === null) return null;
    try {
      const next = await getEval(name);
      setReport(next);
      setError(null);
      return next;
    } catch (e) {
      setError(`Could not load the eval ${name}: ${message(e)}`);
      return null;
    }
  }, [name]);

  useEffect(() => {
    setReport(null);
    if (name === null) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let live = true;
    const tick = async (): Promise<void> => {
      const next = await load();
      // An eval still running is followed; a finished one is not asked again.
      if (live && next !== null && next.done < next.total) timer = setTimeout(() => void tick(), REFRESH_MS);
    };
    void tick();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [name, load]);

  const openTask = async (task: string, contestant: string, notebook: string): Promise<void> => {
    if (name === null) return;
    setOpening(notebook);
    try {
      const ipynb = await getEvalNotebook(name, notebook);
      const copy = copyName(name, task, contestant);
      await putNotebookFile(copy, ipynb);
      onNotebooksChanged();
      onOpenNotebook(copy);
    } catch (e) {
      setError(`Could not open the notebook of ${task} by ${contestant}: ${message(e)}`);
    } finally {
      setOpening(null);
    }
  };

  return (
    <main className="notebook-page sb-page" aria-label="Scoreboard">
      <header className="sb-head">
        <h1>Scoreboard</h1>
        {evals !== null && evals.length > 0 && (
          <nav aria-label="Evals" className="sb-evals">
            {evals.map((e) => (
              <a key={e.name} href={scoreboardHash(e.name)} aria-current={e.name === name ? 'page' : undefined}>
                {e.name}
              </a>
            ))}
          </nav>
        )}
      </header>
      {error !== null && (
        <p className="sb-error" role="alert">
          {error}
        </p>
      )}
      {name === null ? <EvalList evals={evals} /> : report === null ? <p className="sb-note">Loading {name}…</p> : <EvalView report={report} opening={opening} onOpen={(t, c, n) => void openTask(t, c, n)} />}
    </main>
  );
}

function EvalList({ evals }: { evals: EvalListEntry[] | null }) {
  if (evals === null) return <p className="sb-note">Looking for evals…</p>;
  if (evals.length === 0) {
    return (
      <p className="sb-note">
        No evals yet. Run <code>npx duet eval --tasks builtin --pair demo-a,demo-b --base-url demo --out notebooks/first-eval</code> and it shows here.
      </p>
    );
  }
  return (
    <ul className="sb-list">
      {evals.map((e) => (
        <li key={e.name}>
          <a href={scoreboardHash(e.name)}>{e.name}</a>
          <span className="sb-note">
            {' '}
            {e.contestants.join(' · ')} — {e.done} of {e.total} runs, tasks: {e.source}
          </span>
        </li>
      ))}
    </ul>
  );
}

function EvalView({ report, opening, onOpen }: { report: EvalReport; opening: string | null; onOpen(task: string, contestant: string, notebook: string): void }) {
  const c = report.contestants;
  return (
    <article className="sb-eval" aria-label={`Eval ${report.name}`}>
      <h2>{report.name}</h2>
      <p className="sb-note">
        Tasks: {report.source} · {report.done} of {report.total} runs done · {report.settings.passes} green tests end a run, at most {report.settings.maxTurns} turns
      </p>
      <SummaryTable contestants={c} />
      <p className="sb-note">
        Solved: the task's hidden tests, which the models never saw, pass after the run's code is replayed in a fresh kernel. False green: the run's own tests went green and the hidden tests failed. Intervals are 95% Wilson intervals.
      </p>
      <h3>Pass rate</h3>
      <PassRateChart contestants={c} />
      <h3>False-green rate</h3>
      <FalseGreenChart contestants={c} />
      <h3>Turns per task</h3>
      <DistributionChart title="Turns per judged task" contestants={c} values={(s) => s.turns} />
      <h3>Tokens per task</h3>
      <DistributionChart title="Prompt and completion tokens per judged task" contestants={c} values={(s) => s.tokens} />
      <h3>Paired comparison</h3>
      <Comparisons comparisons={report.comparisons} />
      <h3>Tasks</h3>
      <TaskGrid tasks={report.tasks} contestants={c} opening={opening} onOpen={onOpen} />
    </article>
  );
}
