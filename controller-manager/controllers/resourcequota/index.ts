// Registry entry: kube-controller-manager's `resourcequota`.
import type { ControllerDescriptor } from "../../context.js";
import { ResourceQuotaController } from "./controller.js";

export const resourceQuotaDescriptor: ControllerDescriptor = {
  name: "resourcequota",
  init: (ctx) => new ResourceQuotaController(ctx).run(),
};
