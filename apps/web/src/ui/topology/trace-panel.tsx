import type { TraceResult } from "../graph/trace";

export interface TraceSource {
  hostId: string;
  containerId: string;
  name: string;
}

interface TracePanelProps {
  /** The selected container. */
  name: string;
  source: TraceSource | null;
  result: TraceResult | null;
  onTraceFrom: () => void;
  onClear: () => void;
}

/**
 * Trace in a container's details: pick this container as the start, select another one, and the L2 path
 * between them (or why there is none) is listed here and drawn on the map. Test ids: trace-from,
 * trace-result (data-ok), trace-hop, trace-reason, trace-clear.
 */
export function TracePanel({ name, source, result, onTraceFrom, onClear }: TracePanelProps) {
  return (
    <div className="trace-panel">
      <h3>Trace</h3>
      {source && result ? (
        <div data-testid="trace-result" data-ok={String(result.ok)}>
          <p className="small">
            {source.name} → {name}: <strong>{result.ok ? "L2 path" : "no path"}</strong>
          </p>
          <ol className="plain-list small mono">
            {result.hops.map((hop, i) => (
              // Hops repeat elements (a trunk on each side), so the index is part of the key.
              // biome-ignore lint/suspicious/noArrayIndexKey: the list is rebuilt whole, never reordered
              <li key={`${i}-${hop.elementId}`} data-testid="trace-hop">
                {hop.text}
              </li>
            ))}
          </ol>
          {!result.ok && (
            <p className="form-error small" data-testid="trace-reason">
              {result.reason}
            </p>
          )}
        </div>
      ) : (
        source && <p className="muted small">From {source.name}: select another container.</p>
      )}
      <div className="button-row">
        <button type="button" className="button small" onClick={onTraceFrom} data-testid="trace-from">
          Trace from here
        </button>
        {source && (
          <button type="button" className="button small" onClick={onClear} data-testid="trace-clear">
            Clear trace
          </button>
        )}
      </div>
    </div>
  );
}
