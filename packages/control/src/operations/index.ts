export { type OperationWithNames, operationInclude, toOperationDto } from "./dto";
export { findOperation, getOperation, listOperations, operationsByIds } from "./queries";
