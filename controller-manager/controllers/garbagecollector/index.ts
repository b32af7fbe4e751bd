// Registry entry: kube-controller-manager's `garbagecollector`.
import type { ControllerDescriptor } from "../../context.js";
import { GarbageCollector } from "./controller.js";

export const garbageCollectorDescriptor: ControllerDescriptor = {
  name: "garbagecollector",
  init: (ctx) => new GarbageCollector(ctx).run(),
};
