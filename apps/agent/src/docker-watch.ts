import { DockerClient } from "@switchyard/netops";
import type { Logger } from "./logger";

const RETRY_DELAY_MS = 5_000;

export interface DockerWatch {
  stop(): void;
}

/**
 * Follows Docker's container events so a container started or removed is reported at once, not at the
 * next poll (a `--network none` container changes no link the link monitor could see). When Docker is
 * absent or restarts, the stream is opened again every few seconds; polling stays the safety net.
 */
export function startDockerWatch(options: {
  socketPath: string;
  onChange: () => void;
  logger: Logger;
}): DockerWatch {
  const client = new DockerClient(options.socketPath);
  let stopped = false;
  let current: { stop(): void } | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const follow = () => {
    if (stopped) return;
    const watch = client.watchContainerEvents(options.onChange);
    current = watch;
    void watch.done.then(() => {
      current = null;
      if (stopped) return;
      options.logger.debug("docker event stream ended; opening it again shortly");
      retry = setTimeout(follow, RETRY_DELAY_MS);
    });
  };
  follow();

  return {
    stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      current?.stop();
    },
  };
}
