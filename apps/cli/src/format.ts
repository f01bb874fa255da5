/** Renders rows under headers in columns two spaces apart; no trailing spaces. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return renderColumns([headers, ...rows]);
}

/** Rows in aligned columns two spaces apart; no trailing spaces. */
export function renderColumns(rows: readonly (readonly string[])[]): string {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, col) =>
    Math.max(...rows.map((row) => width(row[col] ?? ""))),
  );
  return rows
    .map((row) =>
      widths
        .map((w, col) => pad(row[col] ?? "", w))
        .join("  ")
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join("");
}

/** `Label:  value` lines with the values aligned; null or empty values print as `-`. */
export function renderFields(fields: readonly (readonly [string, string | null | undefined])[]): string {
  const labelWidth = Math.max(0, ...fields.map(([label]) => width(label) + 1));
  return fields.map(([label, value]) => `${pad(`${label}:`, labelWidth)}  ${orDash(value)}\n`).join("");
}

/** "12s ago", "5m ago", "3h ago", "2d ago"; "-" when never. */
export function formatAge(iso: string | null | undefined, now: Date): string {
  if (!iso) return "-";
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const seconds = Math.round((now.getTime() - then) / 1000);
  if (seconds < 0) return "just now";
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** An ISO time with its age: `2026-11-27 22:16:35Z (5m ago)`. */
export function formatTime(iso: string | null | undefined, now: Date): string {
  if (!iso) return "-";
  const then = new Date(iso);
  if (Number.isNaN(then.getTime())) return iso;
  return `${then.toISOString().slice(0, 19).replace("T", " ")}Z (${formatAge(iso, now)})`;
}

export function orDash(value: string | null | undefined): string {
  return value === null || value === undefined || value === "" ? "-" : value;
}

/** Quotes a word for a POSIX shell when it holds anything but safe characters. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'"'"'`)}'`;
}

function width(text: string): number {
  return [...text].length;
}

function pad(text: string, to: number): string {
  return text + " ".repeat(Math.max(0, to - width(text)));
}
