/** How benchmark figures are reported: one section per benchmark, one row per figure. */

/** A measured figure, beside the peer's measured in the same run when there is one. */
export interface BenchRow {
  name: string;
  duet: string;
  peer?: string;
  ratio?: string;
  note?: string;
}

/** A benchmark's rows under a title. */
export interface BenchSection {
  title: string;
  rows: BenchRow[];
}
