/** One row per pair: solved, pass rate and interval, claimed, false greens, medians (time to the first green test too), errors. */
import type { ContestantSummary } from '@duet/server/protocol';
import { formatSeconds } from '../../util/durations.ts';
import { count, interval, percent } from '../../util/scoreboard.ts';

const seconds = (ms: number | null): string => (ms === null ? '–' : formatSeconds(ms));

export function SummaryTable({ contestants }: { contestants: readonly ContestantSummary[] }) {
  return (
    <table className="sb-table" aria-label="Pairs">
      <thead>
        <tr>
          <th>pair</th>
          <th>mode</th>
          <th>solved</th>
          <th>pass rate (95%)</th>
          <th>claimed</th>
          <th>false green</th>
          <th>median turns</th>
          <th>median tokens</th>
          <th>median time</th>
          <th>median first green</th>
          <th>errors</th>
        </tr>
      </thead>
      <tbody>
        {contestants.map((c) => (
          <tr key={c.id}>
            <td>{c.id}</td>
            <td>{c.mode}</td>
            <td className="num">
              {c.solved} / {c.judged}
            </td>
            <td className="num">{`${percent(c.passRate)} (${interval(c.passInterval)})`}</td>
            <td className="num">{c.claimed}</td>
            <td className="num">{`${c.falseGreens} (${percent(c.falseGreenRate)})`}</td>
            <td className="num">{count(c.medianTurns)}</td>
            <td className="num">{count(c.medianTokens)}</td>
            <td className="num">{seconds(c.medianWallMs)}</td>
            <td className="num">{seconds(c.medianFirstGreenMs)}</td>
            <td className="num">{c.errors}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
