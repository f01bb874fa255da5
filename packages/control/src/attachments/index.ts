export {
  type AddressAllocator,
  type AllocatedAddress,
  type AllocateRequest,
  ipamAllocator,
  type ReleaseRequest,
} from "./allocator";
export {
  type AttachDeps,
  type AttachmentChange,
  attachContainer,
  bumpSerial,
  detachAttachment,
  resolveContainer,
} from "./attach";
export { type AttachmentWithNames, activeKeyOf, attachmentInclude, toAttachmentDto } from "./dto";
export {
  type AttachmentQuery,
  attachmentsByIds,
  findAttachment,
  getAttachment,
  listAttachments,
} from "./queries";
