import {
  type AcceptInviteBody,
  apiRoutes,
  type ChangePasswordBody,
  type CreateUserBody,
  type CredentialDelivery,
  type UpdateUserBody,
} from "@switchyard/protocol";
import { queryOptions } from "@tanstack/react-query";
import { callApi } from "../api/fetch-json";

export const userKeys = { all: ["users"] as const };

/** Every user (admins only; others get a 403). */
export function usersQuery() {
  return queryOptions({
    queryKey: userKeys.all,
    queryFn: async () => (await callApi(apiRoutes.listUsers)).users,
  });
}

export const createUser = (body: CreateUserBody) => callApi(apiRoutes.createUser, { body });

export const updateUser = (id: string, body: UpdateUserBody) =>
  callApi(apiRoutes.updateUser, { params: { id }, body });

export const deleteUser = (id: string) => callApi(apiRoutes.deleteUser, { params: { id } });

export const resetPassword = (id: string, delivery: CredentialDelivery) =>
  callApi(apiRoutes.resetUserPassword, { params: { id }, body: { delivery } });

export const changePassword = (body: ChangePasswordBody) => callApi(apiRoutes.changePassword, { body });

export const acceptInvite = (body: AcceptInviteBody) => callApi(apiRoutes.acceptInvite, { body });
