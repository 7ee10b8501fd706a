/** Every two pairs on the tasks both had judged: a sentence each, and the counts behind it. */
import type { PairedComparison } from '@duet/server/protocol';
import { comparisonSentence, pValue } from '../../util/scoreboard.ts';

export function Comparisons({ comparisons }: { comparisons: readonly PairedComparison[] }) {
  if (comparisons.length === 0) return <p className="sb-note">One pair only: run two or more with --pair to compare them.</p>;
  return (
    <>
      {comparisons.map((c) => (
        <p key={`${c.a}\u0000${c.b}`} className="sb-sentence">
          {comparisonSentence(c)}
        </p>
      ))}
      <table className="sb-table" aria-label="Paired comparison">
        <thead>
          <tr>
            <th>A</th>
            <th>B</th>
            <th>tasks</th>
            <th>both solved</th>
            <th>only A</th>
            <th>only B</th>
            <th>neither</th>
            <th>p (exact McNemar)</th>
          </tr>
        </thead>
        <tbody>
          {comparisons.map((c) => (
            <tr key={`${c.a}\u0000${c.b}`}>
              <td>{c.a}</td>
              <td>{c.b}</td>
              <td className="num">{c.tasks}</td>
              <td className="num">{c.both}</td>
              <td className="num">{c.onlyA}</td>
              <td className="num">{c.onlyB}</td>
              <td className="num">{c.neither}</td>
              <td className="num">{pValue(c.p)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
