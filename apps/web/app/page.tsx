import { TopologyPage } from "../src/ui/topology/topology-page";

export default function Page() {
  return <TopologyPage />;
}
