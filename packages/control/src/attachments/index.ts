export { type AttachmentChange, attachContainer, detachAttachment, resolveContainer } from "./attach";
export { type CniChange, type CniHost, cniAttach, cniDetach, cniGc } from "./cni";
export { type AttachmentWithNames, activeKeyOf, attachmentInclude, toAttachmentDto } from "./dto";
export {
  type AttachmentQuery,
  attachmentsByIds,
  findAttachment,
  getAttachment,
  listAttachments,
} from "./queries";
