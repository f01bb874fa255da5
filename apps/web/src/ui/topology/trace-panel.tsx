import type { TraceTestDirection, TraceTestResult } from "@switchyard/protocol";
import type { TraceResult } from "../graph/trace";
import { VIEWER_TITLE } from "../shell/permissions";

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
  /** The ping test between the two ends: its answer once in, its error, whether it runs and may run. */
  test: { result: TraceTestResult | null; error: string | null; pending: boolean; allowed: boolean };
  onTest: () => void;
}

const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(0));

/** One direction's line: "con1 → con3 (192.168.0.3): 3/3 replies, rtt 0.06/0.11/0.18 ms". */
function directionText(d: TraceTestDirection): string {
  const replies = `${d.received}/${d.sent} replies`;
  const rtt = d.rttMs ? `, rtt ${ms(d.rttMs.min)}/${ms(d.rttMs.avg)}/${ms(d.rttMs.max)} ms` : "";
  const error = d.error && d.received === 0 ? `: ${d.error}` : "";
  return `${d.fromContainer} → ${d.toContainer} (${d.address}): ${replies}${rtt}${error}`;
}

/**
 * Trace in a container's details: pick this container as the start, select another one, and the L2 path
 * between them (or why there is none) is listed here and drawn on the map. "Test" has both agents ping
 * the other container (a few packets) and shows each direction; the path is drawn passed or failed.
 * Test ids: trace-from, trace-result (data-ok), trace-hop, trace-reason, trace-clear, trace-test,
 * trace-test-result (data-ok, one per direction), trace-test-error.
 */
export function TracePanel({ name, source, result, onTraceFrom, onClear, test, onTest }: TracePanelProps) {
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
          <div className="button-row">
            <button
              type="button"
              className="button small"
              onClick={onTest}
              disabled={test.pending || !test.allowed}
              title={test.allowed ? "Both agents ping the other container (3 packets)" : VIEWER_TITLE}
              data-testid="trace-test"
            >
              {test.pending ? "Testing…" : "Test"}
            </button>
          </div>
          {test.result && (
            <ul className="plain-list small mono" data-testid="trace-test-results">
              {test.result.directions.map((d) => (
                <li
                  key={`${d.fromHost}/${d.fromContainer}`}
                  data-testid="trace-test-result"
                  data-ok={String(d.ok)}
                  className={d.ok ? "trace-test-ok" : "trace-test-failed"}
                >
                  {d.ok ? "✓" : "✗"} {directionText(d)}
                </li>
              ))}
            </ul>
          )}
          {test.error && (
            <p className="form-error small" role="alert" data-testid="trace-test-error">
              {test.error}
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
