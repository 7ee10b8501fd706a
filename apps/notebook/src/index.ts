/**
 * The browser app's pure parts — state, labels, formatting — as named exports, for
 * tests and tools. The app itself starts from main.tsx; nothing here touches the DOM.
 */
export { CLOSE_CODES, classifyClose, renamedTarget, renamedTo, unavailableReason } from './api/close-codes.ts';
export { claimEarlySocket, openEarlySocket } from './api/early-socket.ts';
export type { ServerClose } from './api/close-codes.ts';
export { CALM, watchKernel } from './state/kernel-watch.ts';
export type { KernelWatch } from './state/kernel-watch.ts';
export { appendOutput, applyEvent, applyEvents } from './state/reducer.ts';
export { NO_RUN_START, runStartAfter, runStartOnDisconnect } from './state/run-start.ts';
export type { RunStart } from './state/run-start.ts';
export { discardedLabel, groupCells, visibleCellIds } from './util/cell-groups.ts';
export { contextMeterView, foldedLabel } from './util/context-meter.ts';
export { formatSeconds, formatWholeSeconds } from './util/durations.ts';
export { greenTests } from './util/green-count.ts';
export { feedbackLabel, kernelStatusText, producingLabel, sandboxLabel, testStatusHint, testStatusLabel, waitingLabel } from './util/labels.ts';
export { externalLinkQuestion, linkTarget } from './util/links.ts';
export type { LinkTarget } from './util/links.ts';
export { markdownToHtml } from './util/markdown-html.ts';
export { ALL_EXPANDED, foldAll, isCollapsed, toggleCell } from './util/output-folds.ts';
export { resumableHalt } from './util/resume.ts';
export { notebookFromHash } from './util/route.ts';
export { copyName, niceMax, scoreboardHash, scoreboardRoute, spreadOffsets } from './util/scoreboard.ts';
export { COLLAPSED, EXPANDED, countLines, windowText } from './util/text-window.ts';
export { resolveTheme, toggledChoice } from './util/theme.ts';
export { turnLabelsByCell, turnStatsFor } from './util/turn-stats.ts';
export { DEFAULT_SETTINGS, MAX_INSTRUCTIONS, instructionsSummary, loadSettings, modelGroups, sameSettings, saveSettings, startRunCommand, toNotebookSettings, withNotebookSettings } from './util/run-settings.ts';
export type { RunSettings } from './util/run-settings.ts';
