/** The exact command that enrolls an agent with this control plane. */
export function agentCommand(origin: string, token: string): string {
  return `switchyard-agent --server ${origin} --token ${token}`;
}
