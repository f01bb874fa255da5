import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { promptHidden, promptLine, readAllStdin } from "../src/prompt";

function terminal(): { input: PassThrough; out: { write(s: string): void }; written: () => string } {
  let written = "";
  return { input: new PassThrough(), out: { write: (s: string) => (written += s) }, written: () => written };
}

describe("prompts", () => {
  it("promptHidden asks on the output stream and does not echo the answer", async () => {
    const t = terminal();
    const answer = promptHidden("Password: ", t.input, t.out);
    t.input.write("s3cret\r");
    expect(await answer).toBe("s3cret");
    expect(t.written()).toContain("Password: ");
    expect(t.written()).not.toContain("s3cret");
  });

  it("promptLine echoes", async () => {
    const t = terminal();
    const answer = promptLine("Email: ", t.input, t.out);
    t.input.write("a@b\r");
    expect(await answer).toBe("a@b");
    expect(t.written()).toContain("a@b");
  });

  it("a closed input cancels", async () => {
    const t = terminal();
    const answer = promptHidden("Password: ", t.input, t.out);
    t.input.end();
    await expect(answer).rejects.toThrow("cancelled");
  });

  it("readAllStdin drops one trailing newline only", async () => {
    const input = new PassThrough();
    input.end("pass word\n\n");
    expect(await readAllStdin(input)).toBe("pass word\n");
  });
});
