// Registry entry: kube-controller-manager's `podgc`.
import type { ControllerDescriptor } from "../../context.js";
import { PodGCController } from "./controller.js";

export const podGCDescriptor: ControllerDescriptor = {
  name: "podgc",
  init: (ctx) => new PodGCController(ctx).run(),
};
