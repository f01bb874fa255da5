"use client";

import { useState } from "react";

/** Copies text to the clipboard; falls back to selecting it where the Clipboard API is unavailable (http). */
export function CopyButton({
  text,
  label = "Copy",
  testId,
}: {
  text: string;
  label?: string;
  testId?: string;
}) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);

  async function handleCopy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
    setTimeout(() => setCopied(null), 2_000);
  }

  return (
    <button type="button" className="button small" onClick={handleCopy} data-testid={testId}>
      {copied === "yes" ? "Copied" : copied === "failed" ? "Select and copy" : label}
    </button>
  );
}
