/**
 * Notices (toasts) and the operations this browser tab asked for and waits on. A tiny external store
 * (useSyncExternalStore): the attach and detach forms add an operation to watch; the watcher in the
 * shell raises a notice when the operation finishes (its status comes from the cache, which socket
 * events keep current).
 */

export interface Notice {
  id: number;
  tone: "success" | "error" | "info";
  text: string;
  /** The operation this notice is about, if any. */
  operationId?: string;
  status?: string;
}

export interface WatchedOperation {
  operationId: string;
  /** Words for the notice, e.g. the container's name. */
  subject?: string;
}

export interface NoticeState {
  notices: Notice[];
  watched: WatchedOperation[];
}

const NOTICE_TTL_MS = 8_000;
const MAX_NOTICES = 5;

let state: NoticeState = { notices: [], watched: [] };
let nextId = 1;
const listeners = new Set<() => void>();

function set(next: NoticeState): void {
  state = next;
  for (const listener of listeners) listener();
}

export const noticeStore = {
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  getSnapshot(): NoticeState {
    return state;
  },
  getServerSnapshot(): NoticeState {
    return EMPTY;
  },
};

const EMPTY: NoticeState = { notices: [], watched: [] };

export function pushNotice(notice: Omit<Notice, "id">, ttlMs = NOTICE_TTL_MS): number {
  const id = nextId++;
  set({ ...state, notices: [...state.notices, { ...notice, id }].slice(-MAX_NOTICES) });
  if (ttlMs > 0 && typeof window !== "undefined") window.setTimeout(() => dismissNotice(id), ttlMs);
  return id;
}

export function dismissNotice(id: number): void {
  if (!state.notices.some((n) => n.id === id)) return;
  set({ ...state, notices: state.notices.filter((n) => n.id !== id) });
}

export function watchOperation(watched: WatchedOperation): void {
  if (state.watched.some((w) => w.operationId === watched.operationId)) return;
  set({ ...state, watched: [...state.watched, watched] });
}

export function unwatchOperation(operationId: string): void {
  if (!state.watched.some((w) => w.operationId === operationId)) return;
  set({ ...state, watched: state.watched.filter((w) => w.operationId !== operationId) });
}
