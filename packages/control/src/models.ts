import type { Prisma } from "@switchyard/db";

/** Row types of the core tables, as Prisma returns them. */
export type User = Prisma.UserModel;
export type ApiToken = Prisma.ApiTokenModel;
export type Host = Prisma.HostModel;
export type HostInventory = Prisma.HostInventoryModel;
