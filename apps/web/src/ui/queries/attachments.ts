import { type AttachInput, type Attachment, type AttachmentOperation, apiRoutes } from "@switchyard/protocol";
import { queryOptions } from "@tanstack/react-query";
import { callApi } from "../api/fetch-json";

/** Which attachments a list shows: by network and/or host (id or name); detached ones only with `all`. */
export interface AttachmentFilter {
  network?: string;
  host?: string;
  all?: boolean;
}

export const attachmentKeys = {
  all: ["attachments"] as const,
  lists: ["attachments", "list"] as const,
  list: (filter: AttachmentFilter) => ["attachments", "list", filter] as const,
};

export function attachmentsQuery(filter: AttachmentFilter = {}) {
  return queryOptions({
    queryKey: attachmentKeys.list(filter),
    queryFn: async () => {
      const query = {
        network: filter.network,
        host: filter.host,
        all: filter.all ? ("true" as const) : undefined,
      };
      return (await callApi(apiRoutes.listAttachments, { query })).attachments;
    },
  });
}

export function attach(body: AttachInput): Promise<AttachmentOperation> {
  return callApi(apiRoutes.attach, { body });
}

export function detach(id: string, reason?: string): Promise<AttachmentOperation> {
  return callApi(apiRoutes.detach, { params: { id }, body: reason ? { reason } : {} });
}

/** Attachments that still hold their slot (the server's list leaves detached ones out). */
function isActiveAttachment(attachment: Attachment): boolean {
  return attachment.status !== "detached";
}

function matches(attachment: Attachment, filter: AttachmentFilter): boolean {
  if (filter.network && filter.network !== attachment.networkId && filter.network !== attachment.networkName)
    return false;
  if (filter.host && filter.host !== attachment.hostId && filter.host !== attachment.hostName) return false;
  return filter.all === true || isActiveAttachment(attachment);
}

/**
 * attachment:changed on a cached list: replaces a known attachment, adds a new one that matches the
 * list's filter, drops one that no longer matches (detached). Order: newest first, as the server lists.
 */
export function patchAttachmentList(
  attachments: Attachment[] | undefined,
  changed: Attachment,
  filter: AttachmentFilter,
): Attachment[] | undefined {
  if (!attachments) return attachments;
  const rest = attachments.filter((a) => a.id !== changed.id);
  if (!matches(changed, filter)) return rest.length === attachments.length ? attachments : rest;
  const known = rest.length !== attachments.length;
  if (known) return attachments.map((a) => (a.id === changed.id ? changed : a));
  return [changed, ...attachments].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
