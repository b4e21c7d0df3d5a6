import type { WorkspaceEntity } from '#persistence';

export function toWorkspaceView(w: WorkspaceEntity) {
  return { id: w.id, name: w.name, is_personal: w.isPersonal, created_at: w.createdAt.toISOString() };
}
export type WorkspaceView = ReturnType<typeof toWorkspaceView>;
