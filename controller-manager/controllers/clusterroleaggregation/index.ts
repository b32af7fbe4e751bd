// Registry entry: kube-controller-manager's `clusterrole-aggregation`.
import type { ControllerDescriptor } from "../../context.js";
import { ClusterRoleAggregationController } from "./controller.js";

export const clusterRoleAggregationDescriptor: ControllerDescriptor = {
  name: "clusterrole-aggregation",
  init: (ctx) => new ClusterRoleAggregationController(ctx).run(),
};
