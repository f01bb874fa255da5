import type { StylesheetJson } from "cytoscape";

/** Status colours shared by the graph and the CSS badges (see globals.css --status-*). */
const statusColors = {
  online: "#2b8a3e",
  offline: "#c92a2a",
  pending: "#e67700",
  revoked: "#868e96",
} as const;

/** Container borders by the status of their attachments (see globals.css .att-*). */
const attachmentColors = {
  pending: "#1c7ed6",
  failed: "#c92a2a",
  applied: "#2b8a3e",
} as const;

export const graphStyle: StylesheetJson = [
  {
    selector: "node",
    style: {
      label: "data(label)",
      "font-family": "ui-sans-serif, system-ui, sans-serif",
      "font-size": 10,
      "text-wrap": "wrap",
      "text-valign": "bottom",
      "text-margin-y": 3,
      color: "#212529",
      width: 26,
      height: 26,
      "border-width": 1,
      "border-color": "#495057",
      // Labels too small to read are not drawn at all: the overview at 1,000 hosts stays fast.
      "min-zoomed-font-size": 7,
    },
  },
  {
    selector: "node.host",
    style: {
      shape: "round-rectangle",
      "text-valign": "top",
      "text-halign": "center",
      "text-margin-y": -4,
      "font-size": 12,
      "font-weight": "bold",
      "background-color": "#f1f8f3",
      "background-opacity": 1,
      "border-width": 2,
      "border-color": statusColors.online,
      padding: "14px",
      "compound-sizing-wrt-labels": "include",
    },
  },
  { selector: "node.host.status-online", style: { color: statusColors.online } },
  {
    // The overview: a collapsed host is one box with its name and counts inside.
    selector: "node.fleet-host",
    style: {
      width: 104,
      height: 44,
      padding: "0px",
      "text-valign": "center",
      "text-margin-y": 0,
      "font-size": 10,
      "font-weight": "normal",
    },
  },
  {
    selector: "node.group-label",
    style: {
      width: 1,
      height: 1,
      "background-opacity": 0,
      "border-width": 0,
      "text-halign": "right",
      "text-valign": "center",
      "font-size": 16,
      "font-weight": "bold",
      color: "#495057",
      events: "no",
    },
  },
  {
    selector: "node.host.has-drift",
    style: { "outline-width": 3, "outline-color": "#f08c00", "outline-offset": 2 },
  },
  {
    selector: "node.host.status-offline",
    style: {
      "background-color": "#fbeaea",
      "border-color": statusColors.offline,
      "border-style": "dashed",
      color: statusColors.offline,
    },
  },
  {
    selector: "node.host.status-pending",
    style: {
      "background-color": "#fff6e6",
      "border-color": statusColors.pending,
      "border-style": "dotted",
      color: statusColors.pending,
    },
  },
  {
    selector: "node.host.status-revoked",
    style: {
      "background-color": "#f1f3f5",
      "border-color": statusColors.revoked,
      color: statusColors.revoked,
    },
  },
  {
    selector: "node.linux-bridge",
    style: { shape: "round-rectangle", width: 46, height: 22, "background-color": "#4dabf7" },
  },
  {
    selector: "node.ovs-bridge",
    style: { shape: "hexagon", width: 46, height: 26, "background-color": "#9775fa" },
  },
  {
    selector: "node.uplink, node.host-interface",
    style: { shape: "diamond", width: 18, height: 18, "background-color": "#adb5bd", "font-size": 9 },
  },
  {
    selector: "node.container",
    style: { shape: "rectangle", width: 22, height: 22, "background-color": "#38d9a9" },
  },
  { selector: "node.container.runtime-netns", style: { "background-color": "#ffd43b" } },
  {
    selector: "node.container.state-exited, node.container.state-dead",
    style: { "background-opacity": 0.35 },
  },
  {
    selector: "node:selected",
    style: { "border-width": 3, "border-color": "#1c7ed6", "overlay-opacity": 0 },
  },
  {
    selector: "edge",
    style: {
      width: 1.5,
      "curve-style": "bezier",
      "line-color": "data(color)",
      label: "data(label)",
      "font-size": 9,
      "text-background-color": "#ffffff",
      "text-background-opacity": 0.85,
      "text-background-padding": "1px",
      color: "data(color)",
    },
  },
  { selector: "edge.vlan", style: { width: 2.5 } },
  { selector: "edge.trunk", style: { width: 3, "line-style": "solid" } },
  { selector: "edge.direct", style: { "line-style": "dashed" } },
  {
    selector: "edge.tunnel",
    style: {
      width: 2.5,
      "line-style": "dashed",
      "line-dash-pattern": [8, 4],
      "curve-style": "unbundled-bezier",
      "control-point-distances": [30],
      "control-point-weights": [0.5],
      "target-arrow-shape": "none",
      "font-weight": "bold",
      "z-index": 5,
    },
  },
  {
    selector: "node.container.attach-pending, node.container.attach-detaching",
    style: { "border-width": 3, "border-style": "dashed", "border-color": attachmentColors.pending },
  },
  {
    selector: "node.container.attach-failed",
    style: { "border-width": 3, "border-color": attachmentColors.failed },
  },
  {
    selector: "node.container.attach-applied",
    style: { "border-width": 2, "border-color": attachmentColors.applied },
  },
  { selector: "edge:selected", style: { width: 4 } },
  { selector: "node.dim", style: { opacity: 0.25 } },
  // A traced L2 path (trace.ts).
  { selector: "node.on-path", style: { "border-width": 4, "border-color": "#f76707" } },
  { selector: "edge.on-path", style: { width: 5, "line-color": "#f76707", "z-index": 9 } },
  // The path once tested (trace-panel "Test"): both directions answered, or not.
  { selector: "node.on-path.trace-passed", style: { "border-color": "#2f9e44" } },
  { selector: "edge.on-path.trace-passed", style: { "line-color": "#2f9e44" } },
  { selector: "node.on-path.trace-failed", style: { "border-color": "#e03131" } },
  { selector: "edge.on-path.trace-failed", style: { "line-color": "#e03131", "line-style": "dashed" } },
  {
    selector: "node.found",
    style: { "overlay-color": "#fab005", "overlay-opacity": 0.45, "overlay-padding": 8 },
  },
  // Drift on an expanded host (drift-overlay.ts): what differs from what Switchyard wants, dashed red.
  {
    selector: "node.drift",
    style: { "border-width": 3, "border-color": "#c92a2a", "border-style": "dashed" },
  },
  { selector: "edge.drift", style: { width: 3, "line-color": "#c92a2a", "line-style": "dashed" } },
  // Open leak findings (leaks/graph-highlight.ts): the container, or the host of a gone container / offline host.
  { selector: "node.leak", style: { "border-width": 3, "border-color": "#e03131", "border-style": "solid" } },
  { selector: "node.host.has-leaks", style: { "border-width": 3, "border-color": "#e03131" } },
  {
    selector: "node.leak-host",
    style: { "border-width": 3, "border-color": "#e03131", "border-style": "dashed" },
  },
];
