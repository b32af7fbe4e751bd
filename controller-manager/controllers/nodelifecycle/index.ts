// Registry entries: kube-controller-manager's `nodelifecycle` and `taint-eviction-controller`.
import type { ControllerDescriptor } from "../../context.js";
import { NodeLifecycleController, TaintEvictionController } from "./controller.js";

export const nodeLifecycleDescriptor: ControllerDescriptor = {
  name: "nodelifecycle",
  init: (ctx) => new NodeLifecycleController(ctx).run(),
};

export const taintEvictionDescriptor: ControllerDescriptor = {
  name: "taint-eviction-controller",
  init: (ctx) => new TaintEvictionController(ctx).run(),
};
