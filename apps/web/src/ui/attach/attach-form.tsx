"use client";

import { attachBodySchema } from "@switchyard/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Field } from "../networks/create-network-form";
import { type FieldErrors, fieldErrorsOf, placeErrors, validateWith } from "../networks/field-errors";
import { segmentLabel } from "../networks/network-form-values";
import { watchOperation } from "../operations/notice-store";
import { OperationProgress } from "../operations/operation-progress";
import { attach, attachmentKeys } from "../queries/attachments";
import { hostQuery, hostsQuery } from "../queries/hosts";
import { networkKeys, networksQuery } from "../queries/networks";
import { newerOperation, operationKeys } from "../queries/operations";
import { poolKeys } from "../queries/pools";
import { useHasRole, VIEWER_TITLE } from "../shell/permissions";
import {
  type AttachFormValues,
  type AttachPrefill,
  buildAttachBody,
  containerText,
  initialAttachValues,
} from "./attach-form-values";

interface AttachFormProps {
  prefill?: AttachPrefill;
  /** Host and container are given (the graph's selection): shown, not editable. */
  fixedTarget?: { hostName: string; containerName: string };
  onClose?: () => void;
}

/**
 * Attach a container to a network. After submitting, the operation's progress shows live (through
 * the cache, kept current by socket events) and a notice says how it ended.
 * Test ids: `attach-form`, `attach-field-<host|container|network|address|mac|ifname|default-route|reason>`,
 * `attach-field-error-<field>`, `attach-error`, `attach-submit`, `attach-again`, then `operation-progress`.
 */
export function AttachForm({ prefill = {}, fixedTarget, onClose }: AttachFormProps) {
  const queryClient = useQueryClient();
  const [values, setValues] = useState<AttachFormValues>(() => initialAttachValues(prefill));
  const [localErrors, setLocalErrors] = useState<FieldErrors>({});
  const [operationId, setOperationId] = useState<string | null>(null);
  const canChange = useHasRole("operator");
  const networks = useQuery(networksQuery());
  const hosts = useQuery({ ...hostsQuery(), enabled: !fixedTarget });
  const host = useQuery({ ...hostQuery(values.host), enabled: !fixedTarget && values.host !== "" });

  const mutation = useMutation({
    mutationFn: attach,
    onSuccess: ({ operation }) => {
      queryClient.setQueryData(operationKeys.detail(operation.id), (current: typeof operation | undefined) =>
        newerOperation(current, operation),
      );
      watchOperation({ operationId: operation.id, subject: values.container });
      setOperationId(operation.id);
      void queryClient.invalidateQueries({ queryKey: attachmentKeys.all });
      void queryClient.invalidateQueries({ queryKey: operationKeys.lists });
      void queryClient.invalidateQueries({ queryKey: networkKeys.all });
      void queryClient.invalidateQueries({ queryKey: poolKeys.all });
    },
  });
  const shownFields = [
    ...(fixedTarget ? [] : ["host", "container"]),
    "network",
    "address",
    "ifname",
    "mac",
    "reason",
  ];
  const errors = placeErrors({ ...localErrors, ...fieldErrorsOf(mutation.error) }, shownFields);

  const set = <K extends keyof AttachFormValues>(field: K, value: AttachFormValues[K]) => {
    setValues((current) => ({ ...current, [field]: value }));
    if (localErrors[field]) setLocalErrors(({ [field]: _gone, ...rest }) => rest);
    // The server's answer was about the values as they were: editing them clears it.
    if (mutation.isError) mutation.reset();
  };

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    mutation.reset();
    const body = buildAttachBody(values);
    const problems = validateWith(attachBodySchema, body);
    setLocalErrors(problems);
    if (Object.keys(problems).length === 0) mutation.mutate(body);
  }

  function again() {
    setOperationId(null);
    mutation.reset();
    setValues((current) => ({ ...current, address: "", mac: "", reason: "" }));
  }

  const containers = host.data?.inventory?.containers ?? [];
  const selectedNetwork = networks.data?.find((n) => n.id === values.network);

  return (
    <div className="attach-panel" data-testid="attach-panel">
      <header className="attach-header">
        <h3>Attach to a network</h3>
        {onClose && (
          <button
            type="button"
            className="button small"
            onClick={onClose}
            aria-label="Close attach form"
            data-testid="attach-close"
          >
            ×
          </button>
        )}
      </header>
      {operationId ? (
        <div className="attach-result">
          <OperationProgress operationId={operationId} />
          <button type="button" className="button small" onClick={again} data-testid="attach-again">
            Attach another
          </button>
        </div>
      ) : (
        <form className="attach-form" onSubmit={handleSubmit} data-testid="attach-form" noValidate>
          {fixedTarget ? (
            <p className="attach-target">
              <span className="mono">{fixedTarget.containerName}</span> on{" "}
              <span className="mono">{fixedTarget.hostName}</span>
            </p>
          ) : (
            <>
              <Field label="Host" field="host" error={errors.host} testIdPrefix="attach-field-error">
                <select
                  value={values.host}
                  onChange={(event) => set("host", event.target.value)}
                  data-testid="attach-field-host"
                  aria-invalid={errors.host ? true : undefined}
                >
                  <option value="">choose a host…</option>
                  {(hosts.data ?? [])
                    .filter((h) => h.status !== "revoked")
                    .sort((a, b) => a.name.localeCompare(b.name))
                    .map((h) => (
                      <option key={h.id} value={h.id}>
                        {h.name} ({h.status})
                      </option>
                    ))}
                </select>
              </Field>
              <Field
                label="Container"
                field="container"
                error={errors.container}
                testIdPrefix="attach-field-error"
              >
                <input
                  value={values.container}
                  onChange={(event) => set("container", event.target.value)}
                  placeholder="docker:NAME or netns:NAME"
                  list="attach-container-options"
                  data-testid="attach-field-container"
                  aria-invalid={errors.container ? true : undefined}
                />
                <datalist id="attach-container-options">
                  {containers.map((c) => (
                    <option key={c.id} value={containerText(c)} />
                  ))}
                </datalist>
              </Field>
            </>
          )}
          <Field label="Network" field="network" error={errors.network} testIdPrefix="attach-field-error">
            <select
              value={values.network}
              onChange={(event) => set("network", event.target.value)}
              data-testid="attach-field-network"
              aria-invalid={errors.network ? true : undefined}
            >
              <option value="">choose a network…</option>
              {(networks.data ?? []).map((n) => (
                <option key={n.id} value={n.id}>
                  {n.name} · {n.driver} · {n.subnet}
                  {segmentLabel(n) !== "—" ? ` · ${segmentLabel(n)}` : ""}
                </option>
              ))}
            </select>
          </Field>
          <div className="form-row">
            <Field label="Address" field="address" error={errors.address} testIdPrefix="attach-field-error">
              <input
                value={values.address}
                onChange={(event) => set("address", event.target.value)}
                placeholder={selectedNetwork ? `from ${selectedNetwork.poolName}` : "from the pool"}
                data-testid="attach-field-address"
                aria-invalid={errors.address ? true : undefined}
              />
            </Field>
            <Field label="Interface" field="ifname" error={errors.ifname} testIdPrefix="attach-field-error">
              <input
                value={values.ifname}
                onChange={(event) => set("ifname", event.target.value)}
                placeholder="eth1"
                data-testid="attach-field-ifname"
                aria-invalid={errors.ifname ? true : undefined}
              />
            </Field>
          </div>
          <Field label="MAC" field="mac" error={errors.mac} testIdPrefix="attach-field-error">
            <input
              value={values.mac}
              onChange={(event) => set("mac", event.target.value)}
              placeholder="derived from the attachment"
              data-testid="attach-field-mac"
              aria-invalid={errors.mac ? true : undefined}
            />
          </Field>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={values.setDefaultRoute}
              onChange={(event) => set("setDefaultRoute", event.target.checked)}
              data-testid="attach-field-default-route"
            />
            Default route via the network's gateway
          </label>
          <Field label="Reason" field="reason" error={errors.reason} testIdPrefix="attach-field-error">
            <input
              value={values.reason}
              onChange={(event) => set("reason", event.target.value)}
              placeholder="optional, kept in the ledger"
              data-testid="attach-field-reason"
            />
          </Field>
          <div className="form-actions">
            <button
              type="submit"
              className="button primary"
              disabled={mutation.isPending || !canChange}
              title={canChange ? undefined : VIEWER_TITLE}
              data-testid="attach-submit"
            >
              {mutation.isPending ? "Attaching…" : "Attach"}
            </button>
          </div>
          {errors[""] && (
            <p className="form-error" role="alert" data-testid="attach-error">
              {errors[""]}
            </p>
          )}
        </form>
      )}
    </div>
  );
}
