// Registry entry: kube-controller-manager's `namespace` (namespace lifecycle: deletion of content).
import type { ControllerDescriptor } from "../../context.js";
import { NamespaceController } from "./controller.js";

export const namespaceDescriptor: ControllerDescriptor = {
  name: "namespace",
  init: (ctx) => new NamespaceController(ctx).run(),
};
