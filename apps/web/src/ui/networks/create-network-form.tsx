"use client";

import { createNetworkBodySchema, type NetworkDriver } from "@switchyard/protocol";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useState } from "react";
import { createNetwork, networkKeys } from "../queries/networks";
import { poolKeys } from "../queries/pools";
import { type FieldErrors, fieldErrorsOf, placeErrors, validateWith } from "./field-errors";
import {
  buildNetworkBody,
  driverFields,
  emptyNetworkForm,
  fieldHints,
  type NetworkField,
  type NetworkFormValues,
} from "./network-form-values";

const drivers: { value: NetworkDriver; label: string }[] = [
  { value: "bridge", label: "bridge (Linux bridge)" },
  { value: "ovs", label: "ovs (Open vSwitch, VLAN tag)" },
  { value: "macvlan", label: "macvlan" },
  { value: "vxlan", label: "vxlan (overlay)" },
];

const labels: Record<NetworkField, string> = {
  gateway: "Gateway",
  vlan: "VLAN",
  vni: "VNI",
  vxlanPort: "UDP port",
  bridgeName: "Bridge",
  uplink: "Uplink",
  mtu: "MTU",
  hostOverrides: "Per-host overrides",
};

/**
 * Create a network. Fields follow the driver; errors (the browser's check with the protocol schema,
 * then the server's answer) show next to the field they name. Test ids: `create-network-form`,
 * `network-field-<field>` (inputs), `network-field-error-<field>`, `create-network-error`, `create-network-submit`.
 */
export function CreateNetworkForm({ onCreated }: { onCreated?: (name: string) => void }) {
  const queryClient = useQueryClient();
  const [values, setValues] = useState<NetworkFormValues>(emptyNetworkForm);
  const [localErrors, setLocalErrors] = useState<FieldErrors>({});
  const mutation = useMutation({
    mutationFn: createNetwork,
    onSuccess: (network) => {
      setValues(emptyNetworkForm);
      onCreated?.(network.name);
      void queryClient.invalidateQueries({ queryKey: networkKeys.all });
      void queryClient.invalidateQueries({ queryKey: poolKeys.all });
    },
  });
  const applies = new Set(driverFields[values.driver]);
  const errors = placeErrors({ ...localErrors, ...fieldErrorsOf(mutation.error) }, [
    "name",
    "driver",
    "subnet",
    "description",
    ...applies,
  ]);
  const hints = fieldHints(values.driver, values.vni);

  const set = (field: keyof NetworkFormValues) => (value: string) => {
    setValues((current) => ({ ...current, [field]: value }));
    if (localErrors[field]) setLocalErrors(({ [field]: _gone, ...rest }) => rest);
    // The server's answer was about the values as they were: editing them clears it.
    if (mutation.isError) mutation.reset();
  };

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    mutation.reset();
    const body = buildNetworkBody(values);
    const problems = validateWith(createNetworkBodySchema, body);
    setLocalErrors(problems);
    if (Object.keys(problems).length === 0) mutation.mutate(body);
  }

  const input = (field: keyof NetworkFormValues, label: string, placeholder?: string, className?: string) => (
    <Field key={field} label={label} field={field} error={errors[field]} className={className}>
      <input
        name={field}
        value={values[field]}
        placeholder={placeholder}
        onChange={(event) => set(field)(event.target.value)}
        aria-invalid={errors[field] ? true : undefined}
        data-testid={`network-field-${field}`}
      />
    </Field>
  );

  return (
    <form
      className="card network-form"
      onSubmit={handleSubmit}
      aria-label="Create network"
      data-testid="create-network-form"
      noValidate
    >
      <h2>New network</h2>
      <div className="form-grid">
        {input("name", "Name", "vlan100")}
        <Field label="Driver" field="driver" error={errors.driver}>
          <select
            name="driver"
            value={values.driver}
            onChange={(event) => set("driver")(event.target.value)}
            data-testid="network-field-driver"
          >
            {drivers.map((d) => (
              <option key={d.value} value={d.value}>
                {d.label}
              </option>
            ))}
          </select>
        </Field>
        {input("subnet", "Subnet", "192.168.0.0/24")}
        {(["gateway", "vlan", "vni", "vxlanPort", "bridgeName", "uplink", "mtu"] as const)
          .filter((field) => applies.has(field))
          .map((field) => input(field, labels[field], hints[field]))}
        {input("description", "Description", "optional", "span-2")}
      </div>
      {applies.has("hostOverrides") && (
        <Field
          label="Per-host overrides (one host a line: HOST uplink=IF bridge=BR underlay=ADDR)"
          field="hostOverrides"
          error={errors.hostOverrides}
        >
          <textarea
            name="hostOverrides"
            rows={2}
            value={values.hostOverrides}
            placeholder={values.driver === "vxlan" ? "host1 underlay=10.0.1.10" : "host2 uplink=eth2"}
            onChange={(event) => set("hostOverrides")(event.target.value)}
            aria-invalid={errors.hostOverrides ? true : undefined}
            data-testid="network-field-hostOverrides"
          />
        </Field>
      )}
      <div className="form-actions">
        <button
          type="submit"
          className="button primary"
          disabled={mutation.isPending}
          data-testid="create-network-submit"
        >
          {mutation.isPending ? "Creating…" : "Create network"}
        </button>
        {errors[""] && (
          <p className="form-error" role="alert" data-testid="create-network-error">
            {errors[""]}
          </p>
        )}
      </div>
    </form>
  );
}

export function Field({
  label,
  field,
  error,
  className,
  children,
  testIdPrefix = "network-field-error",
}: {
  label: string;
  field: string;
  error: string | undefined;
  className?: string;
  children: ReactNode;
  testIdPrefix?: string;
}) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child element
    <label className={className ? `field ${className}` : "field"}>
      {label}
      {children}
      {error && (
        <span className="field-error" role="alert" data-testid={`${testIdPrefix}-${field}`}>
          {error}
        </span>
      )}
    </label>
  );
}
