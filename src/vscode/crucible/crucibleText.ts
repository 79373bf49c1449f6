// How a comparison with Crucible reads in the tree, the panel and the pickers: a short label and a codicon per state.
import type { ComparisonState } from '../../core/crucible/compare';

export const COMPARISON_LABEL: Readonly<Record<ComparisonState, string>> = {
  same: 'same key', different: 'different key', only_in_crucible: 'only in Crucible', only_in_vault: 'only in the vault',
  unreadable: 'unreadable', unrecognised: 'unrecognised value', absent: 'in neither',
};

/** [codicon, theme colour]: agreement is green, a difference or an unreadable key a warning. */
export const COMPARISON_ICON: Readonly<Record<ComparisonState, [string, string | undefined]>> = {
  same: ['pass', 'testing.iconPassed'], different: ['diff', 'list.warningForeground'], only_in_crucible: ['cloud', undefined],
  only_in_vault: ['key', undefined], unreadable: ['error', 'list.errorForeground'], unrecognised: ['question', 'list.warningForeground'],
  absent: ['circle-outline', undefined],
};
