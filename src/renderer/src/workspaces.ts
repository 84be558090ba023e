/**
 * @file The workspaces of the left navigation, in order. Each id is also the suffix of its test hook
 * (`nav-<id>`) and the URL hash (`#/<id>`), so keep them stable.
 */

export type WorkspaceId = 'viewer' | 'dic' | 'xpci' | 'restore' | 'acquire' | 'jobs' | 'settings';

export interface Workspace {
  id: WorkspaceId;
  /** label in the navigation */
  label: string;
  /** one line under the label */
  hint: string;
  /** false: the page says plainly that it is not built yet, and `plan` says what it will do */
  built: boolean;
  plan?: string;
}

export const WORKSPACES: readonly Workspace[] = [
  { id: 'viewer', label: 'Viewer', hint: 'Inspect images', built: true },
  { id: 'dic', label: 'Speckle / DIC', hint: 'Displacement & strain', built: true },
  { id: 'xpci', label: 'X-ray phase', hint: 'Speckle-based phase contrast', built: true },
  {
    id: 'restore',
    label: 'Restoration',
    hint: 'SEM deblur & super-resolution',
    built: true,
  },
  { id: 'acquire', label: 'Acquisition', hint: 'Watch a folder as images land', built: true },
  { id: 'jobs', label: 'Jobs', hint: 'Queue and results', built: true },
  { id: 'settings', label: 'Settings', hint: 'Models, provider, theme', built: true },
];

export function isWorkspaceId(s: string): s is WorkspaceId {
  return WORKSPACES.some((w) => w.id === s);
}
